"""Build the project's spaCy pipeline from files in this repository.

No pretrained model can be downloaded here, and nothing may load weights from a
hub at run time, so the pipeline is a blank English tokenizer plus:

* a case-insensitive lookup lemmatizer (tables from spacy-lookups-data, saved
  into the pipeline so run time needs nothing else),
* a sentencizer (triage reads context per sentence).

(It had an entity ruler over the clinic's domain terms too; nothing read its
entities, so it went with the pipeline's entity extractor.)

Usage: ``python -m pump_assistant.nlp.build [OUTPUT_DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import spacy
from spacy.language import Language

import pump_assistant.nlp.lemmatizer  # noqa: F401  (registers the lemmatizer factory)
from pump_assistant.config import get_settings

PIPELINE_VERSION = "2"


def build_pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("pump_lookup_lemmatizer", name="lemmatizer")
    nlp.initialize()
    nlp.meta.update(
        {
            "name": "pump",
            "version": f"{PIPELINE_VERSION}.0.0",
            "description": "Intrathecal pump assistant: blank English, lookup lemmas, sentences",
        }
    )
    return nlp


def files_fingerprint(directory: Path, salt: str = "") -> str:
    """Changes whenever a module or rule file (``.py``, ``.yml``) in ``directory`` changes."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(directory.glob("*")):
        if path.suffix in {".py", ".yml"}:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def source_fingerprint() -> str:
    """Changes whenever a file the pipeline is built from changes."""
    return files_fingerprint(Path(__file__).parent, PIPELINE_VERSION)


def build_if_changed(output_dir: Path) -> bool:
    """Build into ``output_dir`` unless it already holds this source's build."""
    stamp = output_dir / "source.sha256"
    fingerprint = source_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    nlp = build_pipeline()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    stamp.write_text(fingerprint + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=None)
    args = parser.parse_args(argv)
    output = args.output or get_settings().spacy_model_dir
    built = build_if_changed(output)
    print(json.dumps({"pipeline": str(output), "rebuilt": built}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
