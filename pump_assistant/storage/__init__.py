"""Durable storage shared by the action server and the web service."""
