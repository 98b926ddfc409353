"""The only place the project touches private names of Rasa, sanic and python-engineio.

One module per library, each saying which versions it was written against and
listing what it touches in ``PRIVATE_NAMES``; tests/unit/test_private_api.py
checks every listed name still exists, so an upgrade that removes one fails
there, naming it, instead of somewhere in a conversation.

May import: Rasa, sanic, python-engineio. Imported by: the rest of
:mod:`pump_assistant.rasa_ext` and tests/unit/test_private_api.py only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class PrivateName:
    """``attribute`` of ``owner`` (a dotted path to a module-level object), or of what ``instance`` makes of it."""

    owner: str
    attribute: str
    instance: Optional[Callable[[Any], Any]] = None  # builds an instance from the owner, for instance attributes

    def target(self) -> Any:
        module_name, _, name = self.owner.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError):
            module_name, _, outer = module_name.rpartition(".")
            obj = getattr(getattr(importlib.import_module(module_name), outer), name)
        return self.instance(obj) if self.instance else obj

    def __str__(self) -> str:
        return f"{self.owner}{'()' if self.instance else ''}.{self.attribute}"
