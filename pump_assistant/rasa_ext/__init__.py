"""Custom Rasa pieces named in config.yml, credentials.yml and endpoints.yml.

* :mod:`.channels`: the REST, SMS and web chat input channels (one intake,
  :mod:`pump_assistant.inbound`), the reply guard and the display flags;
* :mod:`.nlu`: the NLU components and the training-data importer;
* :mod:`.stores`: the resilient SQL tracker store and its bounded history view;
* :mod:`.adapters`: every private name of Rasa, sanic and python-engineio the
  project touches, one module per library (checked by tests/unit/test_private_api.py);
* :mod:`.startup`: what the Rasa server process sets up before Rasa starts
  (called by :mod:`pump_assistant.serve`).

Belongs here: code that only makes sense inside the Rasa server. May import:
Rasa, sanic, :mod:`pump_assistant`. Imported by: Rasa (through the YAML files),
:mod:`pump_assistant.serve`, tests; never by actions (rasa-sdk only).
"""
