"""The approved answer registry: loading, validation and SMS encoding rules."""
from pump_assistant.content.registry import Answer, Registry, RegistryError, load_registry

__all__ = ["Answer", "Registry", "RegistryError", "load_registry"]
