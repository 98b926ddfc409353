"""Settings, read from the environment in one place.

Nothing here runs at import time: call :func:`get_settings` when a service starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
    registry_path: Path
    seeds_dir: Path
    spacy_model_dir: Path
    database_url: str
    clinic_name: str
    clinic_phone: str
    clinic_hours: str
    clinic_timezone: str
    # The clinic's after-hours line for pump problems that cannot wait (alarm, late refill).
    clinic_oncall_phone: str
    desk_api_token: str
    rasa_url: str
    rasa_token: str
    # Where browsers reach Rasa (the widget's socket.io and REST channels).
    rasa_public_url: str
    outbox_dir: Path
    allowed_origins: tuple[str, ...]
    redis_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_number: str
    # The public URL Twilio posts to; signatures are computed over it.
    twilio_webhook_url: str
    twilio_api_base: str
    # The response selector's confidence below which the assistant asks
    # "did you mean ...?" instead of answering (tuned by bench/tune_thresholds.py).
    answer_confidence: float
    # When the two best topics are closer than this, offer both.
    ambiguity_margin: float
    # Public endpoints: messages per minute per conversation and per client
    # address (0 turns a limit off, e.g. for a load test from one machine).
    rate_limit_per_sender: int
    rate_limit_per_ip: int
    # Rasa's event broker (scale-out profile), read by the web service; the same
    # RABBITMQ_* variables as deploy/endpoints.production.yml. Empty: not used.
    rabbitmq_host: str
    rabbitmq_user: str
    rabbitmq_password: str
    rabbitmq_queue: str
    # Where Rasa reaches the action server (the same ACTION_SERVER_URL as
    # deploy/endpoints.production.yml); /health/ready asks its GET /health.
    action_server_url: str = "http://localhost:5055/webhook"
    # Seconds each dependency gets to answer a readiness probe (/health/ready).
    health_timeout_seconds: float = 2.0
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


def load_settings() -> Settings:
    data_dir = _path("PUMP_DATA_DIR", PROJECT_ROOT / "var")
    return Settings(
        registry_path=_path("ANSWER_REGISTRY", PROJECT_ROOT / "content" / "answers.yml"),
        # The clinic's approved pages, verbatim, inside the checkout (content/pages/).
        seeds_dir=_path("PAGES_DIR", PROJECT_ROOT / "content" / "pages"),
        spacy_model_dir=_path("SPACY_MODEL_DIR", PROJECT_ROOT / "models" / "spacy" / "en_pump"),
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'assistant.db'}",
        clinic_name=os.environ.get("CLINIC_NAME", "the clinic"),
        clinic_phone=os.environ.get("CLINIC_PHONE", ""),
        clinic_hours=os.environ.get("CLINIC_HOURS", "Mon-Fri 08:00-17:00"),
        clinic_timezone=os.environ.get("CLINIC_TIMEZONE", "America/Chicago"),
        clinic_oncall_phone=os.environ.get("CLINIC_ONCALL_PHONE", ""),
        desk_api_token=os.environ.get("DESK_API_TOKEN", ""),
        rasa_url=os.environ.get("RASA_URL", "http://localhost:5005"),
        rasa_token=os.environ.get("RASA_TOKEN", ""),
        rasa_public_url=os.environ.get("RASA_PUBLIC_URL", "http://localhost:5005"),
        outbox_dir=_path("OUTBOX_DIR", data_dir / "outbox"),
        allowed_origins=tuple(
            o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "http://localhost:8000").split(",") if o.strip()
        ),
        redis_url=os.environ.get("REDIS_URL", ""),
        twilio_account_sid=os.environ.get("TWILIO_ACCOUNT_SID", ""),
        twilio_auth_token=os.environ.get("TWILIO_AUTH_TOKEN", ""),
        twilio_number=os.environ.get("TWILIO_NUMBER", ""),
        twilio_webhook_url=os.environ.get("TWILIO_WEBHOOK_URL", ""),
        twilio_api_base=os.environ.get("TWILIO_API_BASE", "https://api.twilio.com"),
        answer_confidence=_float("ANSWER_CONFIDENCE", 0.7),
        ambiguity_margin=_float("AMBIGUITY_MARGIN", 0.3),
        rate_limit_per_sender=int(_float("RATE_LIMIT_PER_SENDER", 30)),
        rate_limit_per_ip=int(_float("RATE_LIMIT_PER_IP", 300)),
        rabbitmq_host=os.environ.get("RABBITMQ_HOST", ""),
        rabbitmq_user=os.environ.get("RABBITMQ_USER", "guest"),
        rabbitmq_password=os.environ.get("RABBITMQ_PASSWORD", ""),
        rabbitmq_queue=os.environ.get("RABBITMQ_QUEUE", "pump_events"),
        action_server_url=os.environ.get("ACTION_SERVER_URL") or "http://localhost:5055/webhook",
        health_timeout_seconds=_float("HEALTH_TIMEOUT_SECONDS", 2.0),
        metrics_token=os.environ.get("METRICS_TOKEN", ""),
        login_max_failures=int(_float("LOGIN_MAX_FAILURES", 5)),
        login_max_failures_per_ip=int(_float("LOGIN_MAX_FAILURES_PER_IP", 20)),
        login_failure_window_seconds=int(_float("LOGIN_FAILURE_WINDOW_SECONDS", 900)),
        login_lockout_seconds=int(_float("LOGIN_LOCKOUT_SECONDS", 900)),
        retention_days=int(_float("RETENTION_DAYS", 365)),
        sms_choices_ttl_minutes=_float("SMS_CHOICES_TTL_MINUTES", 30.0),
        desk_escalate_minutes=_float("DESK_ESCALATE_MINUTES", 5.0),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once on first use."""
    return load_settings()
