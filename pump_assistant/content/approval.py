"""A clinician turns a draft answer into a new version of a registry answer.

The new version goes through the registry's own checks before anything is written: the
file's shape (:func:`parse_registry`: GSM-7, the SMS lead within 320 characters and
opening the text, known source page, at least one quote) and its content
(:func:`content_problems`: every quote word for word in its page, no stated dose).
Only then is ``content/answers.yml`` rewritten, in place (comments and layout kept) and
atomically. Retraining is not needed for a new version of an existing answer: the
action server and the console render answers from the registry.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from ruamel.yaml import YAML

from pump_assistant.content.registry import (
    Answer,
    RegistryError,
    content_problems,
    normalise_whitespace,
    parse_registry,
)

_WRITE_LOCK = threading.Lock()


class ContentRejected(ValueError):
    """The new version fails the registry's checks; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class NewVersion:
    answer_id: str
    title: str
    sms: str
    text: str
    page: str
    quotes: tuple[str, ...]


def _round_trip() -> YAML:
    handler = YAML()  # round-trip: comments, order and quoting of untouched entries are kept
    handler.preserve_quotes = True  # type: ignore[assignment]  # ruamel.yaml types these as None
    handler.width = 100  # type: ignore[assignment]
    return handler


def _apply(item, new: NewVersion, version: int, reviewed: dt.date) -> None:
    item["version"] = version
    item["reviewed"] = reviewed.isoformat()
    item["title"] = new.title
    item["sms"] = new.sms
    item["text"] = new.text
    item["sources"] = [{"page": new.page, "quotes": list(new.quotes)}]


def approve_new_version(
    registry_path: Path, seeds_dir: Path, new: NewVersion, reviewed: dt.date | None = None
) -> Answer:
    """Write ``new`` as the next version of its answer; raises ContentRejected, nothing written, if it fails a check."""
    reviewed = reviewed or dt.date.today()
    new = NewVersion(
        new.answer_id,
        " ".join(new.title.split()),
        normalise_whitespace(new.sms),
        normalise_whitespace(new.text),
        new.page,
        tuple(normalise_whitespace(q) for q in new.quotes if q.strip()),
    )
    missing = [name for name in ("title", "sms", "text", "page") if not getattr(new, name)]
    if missing:
        raise ContentRejected([f"{name} is required" for name in missing])
    if not new.quotes:
        raise ContentRejected(["quote at least one sentence from the source page"])
    with _WRITE_LOCK:
        source = registry_path.read_text(encoding="utf-8")
        raw = yaml.safe_load(source) or {}
        item = next((a for a in raw.get("answers") or [] if str(a.get("id")) == new.answer_id), None)
        if item is None:
            raise ContentRejected([f"no answer {new.answer_id!r} in the registry"])
        version = int(item["version"]) + 1
        candidate = copy.deepcopy(raw)
        _apply(next(a for a in candidate["answers"] if str(a.get("id")) == new.answer_id), new, version, reviewed)
        try:
            registry = parse_registry(candidate)
        except RegistryError as exc:
            raise ContentRejected([line.strip() for line in str(exc).splitlines()[1:]]) from exc
        problems = content_problems(registry, seeds_dir)
        if problems:
            raise ContentRejected(problems)
        handler = _round_trip()
        document = handler.load(source)
        _apply(next(a for a in document["answers"] if str(a.get("id")) == new.answer_id), new, version, reviewed)
        out = io.StringIO()
        handler.dump(document, out)
        partial = registry_path.with_name(registry_path.name + ".tmp")
        partial.write_text(out.getvalue(), encoding="utf-8")
        os.replace(partial, registry_path)
        return registry.answers[new.answer_id]
