"""Start Rasa's server or the action server the way production needs it.

    python -m pump_assistant.serve rasa    [rasa run options]
    python -m pump_assistant.serve actions [rasa run actions options]

Why not plain ``rasa run``: Rasa 3.6 takes its HTTP API token only as a
command-line flag (``--auth-token``), and anything on a command line can be
read by every local user (``ps``, ``/proc/<pid>/cmdline``) and lands in shell
history and process accounting. This wrapper reads the token from the
environment (``RASA_TOKEN``) or from a file (``RASA_TOKEN_FILE``, e.g. a
systemd credential) and hands it to Rasa's own CLI inside this process, so it
never appears on a command line. It refuses ``--auth-token``/``-t`` given on
the command line.

It also:

- turns Rasa's telemetry and its Sentry error reporting off
  (``RASA_TELEMETRY_ENABLED=false``; Rasa only reports errors when telemetry
  is on), whatever the environment says;
- binds loopback unless told otherwise: Rasa on ``RASA_HOST`` (default
  127.0.0.1; ``rasa run`` alone listens on 0.0.0.0), the action server on
  ``ACTION_HOST`` (default 127.0.0.1; rasa-sdk alone listens on 0.0.0.0 and
  only reads ``SANIC_HOST``);
- takes the ports from ``RASA_PORT``/``ACTION_PORT`` when no ``--port`` is given;
- enables Rasa's HTTP API only together with a token (never an open API), and
  passes ``ALLOWED_ORIGINS`` as ``--cors`` when no ``--cors`` is given.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
DEFAULT_ALLOWED_ORIGINS = "http://localhost:8000"  # as pump_assistant.config


class ServeError(SystemExit):
    """A start-up refusal: printed, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(f"pump_assistant.serve: {message}")


def _given(args: Sequence[str], *names: str) -> bool:
    """Whether one of the options ``names`` is among ``args`` (also ``--opt=value``,
    ``-pVALUE`` and the unambiguous abbreviations argparse accepts)."""
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("--"):
            option = arg.split("=", 1)[0]
            if len(option) > 2 and any(name.startswith("--") and name.startswith(option) for name in names):
                return True
        elif arg.startswith("-") and len(arg) >= 2:
            if any(len(name) == 2 and arg.startswith(name) for name in names):
                return True
    return False


def read_token(environ: Mapping[str, str]) -> str:
    """Rasa's API token: the file named by RASA_TOKEN_FILE, else RASA_TOKEN, else ''."""
    token_file = environ.get("RASA_TOKEN_FILE", "").strip()
    if token_file:
        path = Path(token_file)  # e.g. %d/rasa_token with systemd's LoadCredential=
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ServeError(f"RASA_TOKEN_FILE {token_file!r} cannot be read: {exc.strerror}") from None
        if not token:
            raise ServeError(f"RASA_TOKEN_FILE {token_file!r} is empty")
        return token
    return environ.get("RASA_TOKEN", "").strip()


def rasa_argv(args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The argv (after ``rasa``) for Rasa's server: ``run`` with loopback, port,
    CORS and the token added to what was given. Raises ServeError for a token on
    the command line or an API without a token."""
    args = list(args)
    if _given(args, "--auth-token", "-t"):
        raise ServeError(
            "refusing --auth-token on the command line (every local user can read it); "
            "put the token in RASA_TOKEN or RASA_TOKEN_FILE"
        )
    if _given(args, "--ssl-password"):
        raise ServeError(
            "refusing --ssl-password on the command line; use an unencrypted key readable only by the service"
        )
    token = read_token(environ)
    extra: list[str] = []
    if not _given(args, "--cors"):
        origins = [o.strip() for o in environ.get("ALLOWED_ORIGINS", DEFAULT_ALLOWED_ORIGINS).split(",") if o.strip()]
        if origins:
            # First, so that the next option ends --cors's list of values.
            extra += ["--cors", *origins]
    if not _given(args, "--interface", "-i"):
        extra += ["--interface", environ.get("RASA_HOST", "").strip() or LOOPBACK]
    if not _given(args, "--port", "-p") and environ.get("RASA_PORT", "").strip():
        extra += ["--port", environ["RASA_PORT"].strip()]
    if token:
        if not _given(args, "--enable-api"):
            extra.append("--enable-api")
        extra += ["--auth-token", token]
    elif _given(args, "--enable-api"):
        raise ServeError(
            "--enable-api without a token would open Rasa's HTTP API to anyone; set RASA_TOKEN or RASA_TOKEN_FILE"
        )
    return ["run", *extra, *args]


def actions_argv(args: Sequence[str], environ: MutableMapping[str, str]) -> list[str]:
    """The argv (after ``rasa``) for the action server; sets SANIC_HOST in ``environ``
    (rasa-sdk's only way to choose the interface)."""
    args = list(args)
    environ["SANIC_HOST"] = environ.get("ACTION_HOST", "").strip() or LOOPBACK
    extra: list[str] = []
    if not _given(args, "--actions"):
        extra += ["--actions", "actions"]
    if not _given(args, "--port", "-p") and environ.get("ACTION_PORT", "").strip():
        extra += ["--port", environ["ACTION_PORT"].strip()]
    return ["run", "actions", *extra, *args]


def disable_telemetry(environ: MutableMapping[str, str]) -> None:
    """Rasa's usage telemetry and Sentry error reporting, off (the latter only
    runs when the former is on, see rasa.telemetry.initialize_error_reporting)."""
    environ["RASA_TELEMETRY_ENABLED"] = "false"


USAGE = "usage: python -m pump_assistant.serve {rasa|actions} [options of `rasa run` / `rasa run actions`]"


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("rasa", "actions"):
        raise SystemExit(USAGE)
    command, args = argv[0], argv[1:]
    disable_telemetry(os.environ)
    new_argv = rasa_argv(args, os.environ) if command == "rasa" else actions_argv(args, os.environ)
    # The token travels in this process's memory only: replacing sys.argv does
    # not change what the kernel shows as the process's command line.
    sys.argv = ["rasa", *new_argv]
    if command == "rasa":
        from pump_assistant.rasa_ext.startup import prepare_rasa_server

        prepare_rasa_server()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
