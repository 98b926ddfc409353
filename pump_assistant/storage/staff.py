"""Staff accounts, sign-in sessions with CSRF tokens, and the audit log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pump_assistant.storage.database import Database
from pump_assistant.storage.models import AuditEntry, StaffAccount, StaffSession, utcnow
from pump_assistant.vocabulary import Role

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_HOURS = 10
MIN_PASSWORD = 10
ROLES = tuple(role.value for role in Role)
CONTENT_APPROVER_ROLES = frozenset({Role.CLINICIAN})


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32, **SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    username: str
    display_name: str
    csrf_token: str
    role: str = Role.FRONT_DESK

    @property
    def can_approve_content(self) -> bool:
        return self.role in CONTENT_APPROVER_ROLES


class StaffDirectory:
    def __init__(self, database: Database):
        self._db = database

    def create_account(self, username: str, display_name: str, password: str, role: str = Role.FRONT_DESK) -> None:
        username = username.strip().lower()
        if role not in ROLES:
            raise AccountError(f"a role is one of {', '.join(ROLES)}")
        if (
            not username
            or len(username) > 64
            or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
        ):
            raise AccountError("a username is letters, digits, '.', '_' or '-'")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        try:
            with self._db.session() as session:
                session.add(
                    StaffAccount(
                        username=username,
                        display_name=display_name.strip() or username,
                        password_hash=hash_password(password),
                        disabled=False,
                        role=role,
                    )
                )
        except IntegrityError as exc:
            raise AccountError(f"{username} already exists") from exc
        self.audit("admin", "account_created", username, f"role {role}")

    def sign_in(self, username: str, password: str) -> tuple[str, SignedIn] | None:
        """A new session token and who it is for, or None for wrong credentials."""
        with self._db.session() as session:
            account = session.get(StaffAccount, username.strip().lower())
            if account is None or account.disabled or not verify_password(password, account.password_hash):
                verify_password(password, hash_password("timing-equaliser"))  # same cost for unknown users
                return None
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            session.add(
                StaffSession(
                    token_hash=_token_hash(token),
                    username=account.username,
                    csrf_token=csrf,
                    expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS),
                )
            )
            signed_in = SignedIn(account.username, account.display_name, csrf, account.role or Role.FRONT_DESK)
        self.audit(signed_in.display_name, "signed_in", signed_in.username)
        return token, signed_in

    def session_for(self, token: str | None) -> SignedIn | None:
        if not token:
            return None
        with self._db.session() as session:
            row = session.get(StaffSession, _token_hash(token))
            if row is None or row.expires_at < utcnow():
                return None
            account = session.get(StaffAccount, row.username)
            if account is None or account.disabled:
                return None
            return SignedIn(account.username, account.display_name, row.csrf_token, account.role or Role.FRONT_DESK)

    def sign_out(self, token: str) -> None:
        with self._db.session() as session:
            row = session.get(StaffSession, _token_hash(token))
            if row is not None:
                session.delete(row)

    def audit(self, actor: str, action: str, subject: str | None = None, detail: str | None = None) -> None:
        with self._db.session() as session:
            session.add(AuditEntry(actor=actor, action=action, subject=subject, detail=(detail or "")[:500]))

    def audit_log(self, limit: int = 200, subject: str | None = None) -> list[dict]:
        """Newest first; ``subject``: only the entries about one ticket, draft or account."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if subject is not None:
            query = query.where(AuditEntry.subject == subject)
        with self._db.session() as session:
            rows = session.execute(query).scalars()
            return [
                {
                    "actor": r.actor,
                    "action": r.action,
                    "subject": r.subject,
                    "detail": r.detail,
                    "time": r.created_at.isoformat() + "Z",
                }
                for r in rows
            ]
