"""Rasa's graph hooks written once for the project's NLU components: ``create`` and ``fingerprint_addon``.

Rasa builds every graph component through ``create(config, model_storage, resource,
execution_context)`` and checks that signature's annotations, so each component
used to repeat it only to call its own constructor. A component that inherits
:class:`CreatedFromGraph` (before ``GraphComponent``) has its constructor called with
those of ``config``, ``model_storage``, ``resource``, ``execution_context`` and
``name`` (the graph node's name) that the constructor names; its other parameters
keep their defaults.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class CreatedFromGraph:
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Any:
        offered = {
            "config": config,
            "model_storage": model_storage,
            "resource": resource,
            "execution_context": execution_context,
            "name": execution_context.node_name,
        }
        wanted = inspect.signature(cls).parameters
        return cls(**{key: value for key, value in offered.items() if key in wanted})


class ReadsTriageRules:
    """A trained component whose output depends on the triage's modules and rule files.

    Rasa fingerprints only a component's own class source and config: without this,
    a change to ``context_rules.yml`` would reuse cached kept-text features and a
    stale classifier. Inherit it before ``GraphComponent``.
    """

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        from pump_assistant.triage import source_fingerprint

        return source_fingerprint()
