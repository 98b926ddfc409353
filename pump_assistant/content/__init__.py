"""The approved answer registry: loading, validation and SMS encoding rules, drafts approved into it.

May import: :mod:`pump_assistant` (vocabulary, config), YAML. Imported by: answering, actions,
webservice (ask box, drafts), rasa_ext (importer), tests.
"""

from pump_assistant.content.registry import Answer, Registry, RegistryError, load_registry

__all__ = ["Answer", "Registry", "RegistryError", "load_registry"]
