"""Settings, read from the environment in one place.

Nothing here runs at import time: call :func:`get_settings` when a service starts.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, Field, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError as exc:  # a typo in the environment must stop start-up loudly
        raise ValueError(f"{name} must be a number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Every setting but the first seven is read from the variable that is its name in capitals
    (``clinic_name`` from ``CLINIC_NAME``), its default here when the variable is unset."""

    # Read by hand in load_settings: other variable names, or a default built at run time.
    registry_path: Path  # ANSWER_REGISTRY
    seeds_dir: Path  # PAGES_DIR: the clinic's approved pages, verbatim (content/pages/)
    spacy_model_dir: Path
    database_url: str  # an empty DATABASE_URL is the default too
    outbox_dir: Path
    allowed_origins: tuple[str, ...]  # ALLOWED_ORIGINS, comma-separated
    # MINILM_ONNX: the sentence encoder as an ONNX graph, built by `make spacy` (NumPy without it)
    minilm_onnx_path: Path
    clinic_name: str = "the clinic"
    clinic_phone: str = ""
    clinic_hours: str = "Mon-Fri 08:00-17:00"
    clinic_timezone: str = "America/Chicago"
    # The clinic's after-hours line for pump problems that cannot wait (alarm, late refill).
    clinic_oncall_phone: str = ""
    desk_api_token: str = ""
    rasa_url: str = "http://localhost:5005"
    rasa_token: str = ""
    # Where browsers reach Rasa (the widget's socket.io and REST channels).
    rasa_public_url: str = "http://localhost:5005"
    redis_url: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_number: str = ""
    # The public URL Twilio posts to; signatures are computed over it.
    twilio_webhook_url: str = ""
    twilio_api_base: str = "https://api.twilio.com"
    # The response selector's confidence below which the assistant asks
    # "did you mean ...?" instead of answering (tuned by bench/tune_thresholds.py).
    answer_confidence: float = 0.7
    # When the two best topics are closer than this, offer both.
    ambiguity_margin: float = 0.3
    # Public endpoints: messages per minute per conversation and per client
    # address (0 turns a limit off, e.g. for a load test from one machine).
    rate_limit_per_sender: int = 30
    rate_limit_per_ip: int = 300
    # Rasa's event broker (scale-out profile), read by the web service; the same
    # RABBITMQ_* variables as deploy/endpoints.production.yml. Empty: not used.
    rabbitmq_host: str = ""
    rabbitmq_user: str = "guest"
    rabbitmq_password: str = ""
    rabbitmq_queue: str = "pump_events"
    # Where Rasa reaches the action server (the same ACTION_SERVER_URL as
    # deploy/endpoints.production.yml); /health/ready asks its GET /health.
    # An empty ACTION_SERVER_URL is the default too.
    action_server_url: str = "http://localhost:5055/webhook"
    # Seconds each dependency gets to answer a readiness probe (/health/ready).
    health_timeout_seconds: float = 2.0
    # Seconds an opened ticket waits for the conversation's earlier turns from Rasa's store;
    # after that the ticket shows its own turns and says the earlier ones could not be loaded.
    transcript_timeout_seconds: float = 3.0
    # Bearer token Prometheus sends for GET /metrics (DESK_API_TOKEN is also accepted).
    metrics_token: str = ""
    # Desk sign-in throttling: after this many failed sign-ins for one account
    # (or from one address) within the window, further attempts are refused for
    # the lockout time, the right password included (0 turns that limit off).
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 20
    login_failure_window_seconds: int = 900
    login_lockout_seconds: int = 900
    # Days records are kept before `python -m pump_assistant.retention` purges them:
    # resolved tickets, conversation records and transcripts, audit entries.
    retention_days: int = 365
    # Minutes a texted numbered list stays answerable: a later "1" is read as
    # ordinary text, not as the old choice (0 keeps the list until the next one).
    sms_choices_ttl_minutes: float = 30.0
    # The console escalates an emergency ticket still unclaimed after this many minutes
    # (a banner and the ticket marked), besides the sound and notification it raised on arrival.
    desk_escalate_minutes: float = 5.0

    @property
    def conversation_events_url(self) -> str:
        if not self.rabbitmq_host:
            return ""
        from urllib.parse import quote

        credentials = f"{quote(self.rabbitmq_user, safe='')}:{quote(self.rabbitmq_password, safe='')}@"
        return f"amqp://{credentials}{self.rabbitmq_host}/"

    @property
    def clinic_oncall_or_generic(self) -> str:
        return self.clinic_oncall_phone or self.clinic_phone or "our clinic's after-hours line"

    @property
    def clinic_phone_or_generic(self) -> str:
        return self.clinic_phone or "our clinic's main phone line"


def read_by_name() -> dict[str, str]:
    """The settings read from the variable that is their name in capitals: field -> variable."""
    return {field.name: field.name.upper() for field in fields(Settings) if field.default is not MISSING}


def _by_name(field: Field, name: str) -> Any:
    """A setting from its variable ``name``; numbers are checked, whole ones truncated."""
    default = field.default
    if isinstance(default, float):
        return _float(name, default)
    if isinstance(default, int):
        return int(_float(name, default))
    return os.environ.get(name, default)


def load_settings() -> Settings:
    data_dir = _path("PUMP_DATA_DIR", PROJECT_ROOT / "var")
    variables = read_by_name()
    by_name = {
        field.name: _by_name(field, variables[field.name]) for field in fields(Settings) if field.name in variables
    }
    by_name["action_server_url"] = os.environ.get("ACTION_SERVER_URL") or Settings.action_server_url
    return Settings(
        registry_path=_path("ANSWER_REGISTRY", PROJECT_ROOT / "content" / "answers.yml"),
        seeds_dir=_path("PAGES_DIR", PROJECT_ROOT / "content" / "pages"),
        spacy_model_dir=_path("SPACY_MODEL_DIR", PROJECT_ROOT / "models" / "spacy" / "en_pump"),
        minilm_onnx_path=_path("MINILM_ONNX", PROJECT_ROOT / "models" / "minilm" / "all-minilm-l6-v2.onnx"),
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'assistant.db'}",
        outbox_dir=_path("OUTBOX_DIR", data_dir / "outbox"),
        allowed_origins=tuple(
            o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "http://localhost:8000").split(",") if o.strip()
        ),
        **by_name,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once on first use."""
    return load_settings()
