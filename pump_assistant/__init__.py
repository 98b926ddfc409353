"""Core package of the clinic's intrathecal-pump assistant.

Shared by the Rasa project (custom components and channels), the action server
and the web service. It never imports either service.
"""
