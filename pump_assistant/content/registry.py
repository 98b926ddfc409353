"""Load and validate the approved answer registry (``content/answers.yml``).

The registry is the one place an answer's words live. Rasa's response selector
gets its responses from it at training time (see ``rasa_ext.nlu.importer``) and the
action server renders replies from it, so a reviewed change reaches patients
in exactly one edit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pump_assistant.content.gsm import non_gsm7_characters

SMS_LEAD_MAX_CHARS = 320
# A page's name in a text message's "Source:" line (the web shows the full title).
SHORT_TITLE_MAX_CHARS = 24
FOLLOWUP_KINDS = ("duration", "more")
# An approved answer never states a dose: that is one patient's prescription, for a clinician.
DOSE = re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|µg|ug|milligram|microgram|ml)\b", re.I)


class RegistryError(ValueError):
    """The registry file is malformed; the message lists every problem found."""


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    # Short enough for a text message's "Source:" line; the title when not given.
    short_title: str = ""

    @property
    def sms_title(self) -> str:
        return self.short_title or self.title


@dataclass(frozen=True)
class Citation:
    page: str
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    id: str
    version: int
    reviewed: dt.date
    topic: str
    title: str
    sms: str
    text: str
    citations: tuple[Citation, ...]
    related: tuple[str, ...] = ()
    followups: Mapping[str, str] = field(default_factory=dict)
    # An answer about symptoms or complications ends with the 911 line.
    safety_note: bool = False


@dataclass(frozen=True)
class Registry:
    version: str
    sources: Mapping[str, Source]
    answers: Mapping[str, Answer]

    def __contains__(self, answer_id: object) -> bool:
        return answer_id in self.answers

    def get(self, answer_id: str) -> Answer | None:
        return self.answers.get(answer_id)

    def source_titles(self, answer: Answer) -> list[str]:
        return [self.sources[c.page].title for c in answer.citations]

    def source_short_titles(self, answer: Answer) -> list[str]:
        """The pages' short names, for the "Source:" line of a text message."""
        return [self.sources[c.page].sms_title for c in answer.citations]


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def parse_registry(raw: Mapping) -> Registry:
    problems: list[str] = []
    sources: dict[str, Source] = {}
    for item in raw.get("sources") or []:
        source = Source(
            id=str(item["id"]),
            file=str(item["file"]),
            title=str(item["title"]),
            short_title=" ".join(str(item.get("short_title") or "").split()),
        )
        if source.id in sources:
            problems.append(f"source {source.id}: defined twice")
        problems.extend(_source_problems(source, sources))
        sources[source.id] = source

    answers: dict[str, Answer] = {}
    for item in raw.get("answers") or []:
        answer_id = str(item.get("id", ""))
        try:
            answer = Answer(
                id=answer_id,
                version=int(item["version"]),
                reviewed=_as_date(item["reviewed"]),
                topic=str(item["topic"]),
                title=str(item["title"]),
                sms=normalise_whitespace(str(item["sms"])),
                text=normalise_whitespace(str(item["text"])),
                citations=tuple(
                    Citation(page=str(c["page"]), quotes=tuple(str(q) for q in c["quotes"])) for c in item["sources"]
                ),
                related=tuple(str(r) for r in item.get("related") or ()),
                followups={str(k): str(v) for k, v in (item.get("followups") or {}).items()},
                safety_note=bool(item.get("safety_note", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"answer {answer_id or '?'}: malformed ({exc!r})")
            continue
        if answer.id in answers:
            problems.append(f"answer {answer.id}: defined twice")
        answers[answer.id] = answer

    for answer in answers.values():
        problems.extend(_answer_problems(answer, sources, answers))
    if problems:
        raise RegistryError("invalid answer registry:\n  " + "\n  ".join(problems))
    return Registry(version=str(raw.get("version", "1")), sources=sources, answers=answers)


def _source_problems(source: Source, others: Mapping[str, Source]) -> Iterable[str]:
    where = f"source {source.id}"
    if len(source.short_title) > SHORT_TITLE_MAX_CHARS:
        yield f"{where}: short_title is {len(source.short_title)} characters (max {SHORT_TITLE_MAX_CHARS})"
    bad = non_gsm7_characters(source.sms_title)
    if bad:
        yield f"{where}: short_title has characters outside GSM-7: {sorted(bad)}"
    for other in others.values():
        if other.id != source.id and source.short_title and other.sms_title.lower() == source.short_title.lower():
            yield f"{where}: short_title {source.short_title!r} is also {other.id}'s"


def _answer_problems(answer: Answer, sources: Mapping[str, Source], answers: Mapping[str, Answer]) -> Iterable[str]:
    where = f"answer {answer.id}"
    if not answer.citations or not all(c.quotes for c in answer.citations):
        yield f"{where}: every answer needs at least one quoted sentence"
    for citation in answer.citations:
        if citation.page not in sources:
            yield f"{where}: unknown source page {citation.page!r}"
    if len(answer.sms) > SMS_LEAD_MAX_CHARS:
        yield f"{where}: sms lead is {len(answer.sms)} characters (max {SMS_LEAD_MAX_CHARS})"
    if not answer.text.startswith(answer.sms):
        yield f"{where}: text must open with the sms lead"
    for name in ("sms", "text", "title"):
        bad = non_gsm7_characters(getattr(answer, name))
        if bad:
            yield f"{where}: {name} has characters outside GSM-7: {sorted(bad)}"
    for other in answer.related:
        if other not in answers or other == answer.id:
            yield f"{where}: related answer {other!r} does not exist"
    for kind, other in answer.followups.items():
        if kind not in FOLLOWUP_KINDS:
            yield f"{where}: unknown follow-up kind {kind!r}"
        if other not in answers:
            yield f"{where}: follow-up answer {other!r} does not exist"


def load_registry(path: Path) -> Registry:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    return parse_registry(raw)


def unsupported_quotes(registry: Registry, seeds_dir: Path) -> list[tuple[str, str, str]]:
    """Every (answer id, page id, quote) whose quote is not word for word in its page."""
    pages = {
        source.id: normalise_whitespace((seeds_dir / source.file).read_text(encoding="utf-8"))
        for source in registry.sources.values()
    }
    missing = []
    for answer in registry.answers.values():
        for citation in answer.citations:
            for quote in citation.quotes:
                if normalise_whitespace(quote) not in pages[citation.page]:
                    missing.append((answer.id, citation.page, quote))
    return missing


def dose_statements(registry: Registry) -> list[tuple[str, str]]:
    """Every (answer id, matched words) where an answer's text states a dose."""
    return [(a.id, m.group(0)) for a in registry.answers.values() for m in [DOSE.search(a.text)] if m]


def content_problems(registry: Registry, seeds_dir: Path) -> list[str]:
    """What the registry's tests refuse beyond the file's own shape: unsupported quotes, stated doses."""
    problems = [
        f"answer {a}: quote not found word for word in page {p}: {q!r}"
        for a, p, q in unsupported_quotes(registry, seeds_dir)
    ]
    problems += [f"answer {a}: states a dose ({words!r})" for a, words in dose_statements(registry)]
    return problems
