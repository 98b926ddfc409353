"""Training-data importer that takes FAQ responses from the answer registry.

Rasa's response selector expects a response per retrieval intent
(``utter_faq/<id>``) in the domain. Writing the answers there too would give
them two homes; instead this importer adds them to the domain from
``content/answers.yml`` whenever Rasa trains or validates, so the model's
fingerprint (and hence retraining) follows the registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Text, Union

from rasa.shared.core.domain import Domain
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.config import get_settings
from pump_assistant.content import Registry, load_registry

FAQ_INTENT = "faq"


def registry_responses(registry: Registry) -> Dict[Text, List[Dict[Text, Text]]]:
    return {f"utter_{FAQ_INTENT}/{answer.id}": [{"text": answer.text}] for answer in registry.answers.values()}


class RegistryImporter(RasaFileImporter):
    def __init__(
        self,
        config_file: Optional[Text] = None,
        domain_path: Optional[Text] = None,
        training_data_paths: Optional[Union[List[Text], Text]] = None,
        registry_path: Optional[Text] = None,
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        self._registry_path = registry_path
        self._nlu_data: Dict[Optional[Text], TrainingData] = {}

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        """The NLU files, read once per language: Rasa asks twice (for the data, and again for
        the domain's retrieval intents), and reading 15,000 examples (a YAML parse, a schema
        check and a merge that copies them all) cost about 2 s each time. Rasa's merges copy
        what they are given, so handing out the same object is safe."""
        if language not in self._nlu_data:
            self._nlu_data[language] = super().get_nlu_data(language)
        return self._nlu_data[language]

    def get_domain(self) -> Domain:
        domain = super().get_domain()
        path = self._registry_path or get_settings().registry_path
        data = domain.as_dict()
        data["responses"] = {**data.get("responses", {}), **registry_responses(load_registry(Path(path)))}
        return Domain.from_dict(data)
