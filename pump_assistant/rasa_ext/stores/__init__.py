"""Rasa tracker stores (endpoints.yml's ``tracker_store``) and the bounded history view."""
