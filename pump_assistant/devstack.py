"""Starting the assistant's processes on this machine: free ports, waiting, stopping.

The one way ``make run`` and ``make shell`` (``python -m pump_assistant.devstack
[--shell]``, :func:`main`), the test suite (tests/support/processes.py
re-exports it), the benchmarks (bench/) and the load test start the action
server and the Rasa server: through :mod:`pump_assistant.serve`, as the systemd
units do (loopback, telemetry off, the API token from the environment, never
on a command line). Tests and benchmarks use free loopback ports and logs in
files; ``make run`` uses the usual ports and the terminal.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL_PATH = ROOT / "models" / "pump-assistant.tar.gz"
# Variables of the environment that would change where or how a started process serves.
_SERVE_VARIABLES = ("RASA_TOKEN", "RASA_TOKEN_FILE", "RASA_PORT", "ACTION_PORT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(work: Path, **extra: str) -> dict:
    """This environment for a local stack writing under ``work``: telemetry off, throwaway SQLite and outbox."""
    env = {key: value for key, value in os.environ.items() if key not in _SERVE_VARIABLES}
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "DATABASE_URL": f"sqlite:///{work / 'assistant.db'}",
            "OUTBOX_DIR": str(work / "outbox"),
        }
    )
    env.update(extra)
    return env


# The scale-out profile's services on this machine's loopback, as CI and `make bench-scaleout` run them.
LOOPBACK_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
LOOPBACK_REDIS_HOST, LOOPBACK_REDIS_PORT, LOOPBACK_REDIS_LOCK_DB = "127.0.0.1", 6379, 1
LOOPBACK_RABBITMQ = "amqp://guest:guest@127.0.0.1/"


def production_endpoints_env(action_port: int, database: str, lock_prefix: str, queue: str) -> dict[str, str]:
    """What deploy/endpoints.production.yml reads from the environment, for the action server on
    ``action_port`` and the loopback services: conversations in PostgreSQL's ``database``, Rasa's
    locks under ``lock_prefix`` (letters and digits only, or Rasa ignores it), events to ``queue``."""
    return {
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB_HOST": "127.0.0.1",
        "TRACKER_DB_PORT": "5432",
        "TRACKER_DB_NAME": database,
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": LOOPBACK_REDIS_HOST,
        "REDIS_PORT": str(LOOPBACK_REDIS_PORT),
        "REDIS_LOCK_DB": str(LOOPBACK_REDIS_LOCK_DB),
        "REDIS_LOCK_PREFIX": lock_prefix,
        "RABBITMQ_HOST": "127.0.0.1",
        "RABBITMQ_USER": "guest",
        "RABBITMQ_PASSWORD": "guest",
        "RABBITMQ_QUEUE": queue,
    }


def endpoints_for(action_port: int, tracker_store: str, database: Path) -> dict:
    """The project's endpoints.yml with the action server on our port and the tracker store as asked:
    ``sqlite`` (endpoints.yml's store on a throwaway SQLite file), ``sqlite-stock`` (Rasa's ``type: SQL``)
    or ``memory`` (none)."""
    endpoints: dict = {"action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"}}
    if tracker_store == "sqlite":
        configured = yaml.safe_load((ROOT / "endpoints.yml").read_text()).get("tracker_store") or {"type": "SQL"}
        endpoints["tracker_store"] = {**configured, "dialect": "sqlite", "db": str(database)}
    elif tracker_store == "sqlite-stock":
        endpoints["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": str(database)}
    return endpoints


def wait_for_http(url: str, process: subprocess.Popen, log: Path | None, seconds: float = 180) -> None:
    def tail() -> str:
        return log.read_text()[-3000:] if log is not None else "(its output is above)"

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up:\n{tail()}")


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def start(
    args: list[str], env: dict, log: Path | None, *, cwd: Path | None = None, own_session: bool = False
) -> subprocess.Popen:
    """``args`` as a process writing to ``log`` (None: to this terminal). ``own_session``: Ctrl-C
    reaches only the caller, which stops the children in order; SIGTERM reaches them anyway if
    the caller dies."""
    extra: dict[str, Any] = {"start_new_session": True, "preexec_fn": _die_with_parent} if own_session else {}
    if log is None:
        return subprocess.Popen(args, cwd=cwd or ROOT, env=env, **extra)
    with log.open("w") as out:
        return subprocess.Popen(args, cwd=cwd or ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, **extra)


def start_actions(
    port: int, env: dict, log: Path | None, *, wait: bool = True, own_session: bool = False
) -> subprocess.Popen:
    process = start(
        [str(BIN / "python"), "-m", "pump_assistant.serve", "actions", "--port", str(port)],
        env,
        log,
        own_session=own_session,
    )
    if wait:
        wait_for_http(f"http://127.0.0.1:{port}/health", process, log)
    return process


def start_rasa(
    port: int,
    endpoints: Path,
    env: dict,
    log: Path | None,
    token: str | None,
    wait: bool = True,
    cors: str | None = None,
    *,
    model: Path = MODEL_PATH,
    credentials: Path | None = None,
    own_session: bool = False,
    seconds: float = 180,
) -> subprocess.Popen:
    """Rasa's server on ``port``; its HTTP API only with a ``token`` (handed over in the environment)."""
    args = [
        str(BIN / "python"),
        "-m",
        "pump_assistant.serve",
        "rasa",
        "--model",
        str(model),
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
    ]
    if credentials is not None:
        args += ["--credentials", str(credentials)]
    if cors:
        args += ["--cors", cors]
    env = {key: value for key, value in env.items() if key not in _SERVE_VARIABLES}
    if token:
        env["RASA_TOKEN"] = token
    process = start(args, env, log, own_session=own_session)
    if wait:
        wait_for_http(f"http://127.0.0.1:{port}/", process, log, seconds=seconds)
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def stop_all(processes: Iterable[subprocess.Popen]) -> None:
    """Terminate all at once, then wait for each (30 s in all), killing what is left."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + 30
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def shielded():
    """Clean-up that a second Ctrl-C or a SIGTERM cannot cut short."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def post_json(url: str, payload: dict, timeout: float = 60) -> tuple[int, object]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get_json(url: str, timeout: float = 30) -> object:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


# --- make run / make shell ----------------------------------------------------------


def session_env(environ: Mapping[str, str], *, say: Callable[[str], None] = print) -> dict[str, str]:
    """``environ`` for a local run: telemetry off, and made-up tokens for this session where the
    staff API's (DESK_API_TOKEN, printed once) or Rasa's HTTP API's (RASA_TOKEN) is not set.
    Never stored. A RASA_TOKEN_FILE is read, so Rasa and the web service share its token."""
    from pump_assistant.serve import read_token

    env = dict(environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"})
    if not env.get("DESK_API_TOKEN"):
        env["DESK_API_TOKEN"] = secrets.token_urlsafe(18)
        say(f"DESK_API_TOKEN for this session: {env['DESK_API_TOKEN']}")
    env["RASA_TOKEN"] = read_token(env) or secrets.token_urlsafe(18)
    return env


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    return int(env.get(name, "").strip() or default)


def _wait_for_any(processes: list[subprocess.Popen]) -> int:
    """Blocks until one of ``processes`` ends; its exit status."""
    while True:
        for process in processes:
            if process.poll() is not None:
                return process.returncode
        time.sleep(0.5)


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """``make run``: the action server (ACTION_PORT, 5055), Rasa with the REST channel (RASA_PORT,
    5005) and the web service (WEB_PORT, 8000) on embedded defaults, until one of them stops or
    Ctrl-C. ``--shell`` (``make shell``): the action server in the background and ``rasa shell``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pump_assistant.devstack", description=main.__doc__)
    parser.add_argument("--shell", action="store_true", help="chat in the terminal instead of starting the servers")
    args = parser.parse_args(argv)
    env = session_env(os.environ)
    (ROOT / "var").mkdir(exist_ok=True)
    action_port = _port(env, "ACTION_PORT", 5055)
    rasa_port = _port(env, "RASA_PORT", 5005)
    web_port = _port(env, "WEB_PORT", 8000)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    processes: list[subprocess.Popen] = []
    try:
        # In sessions of their own: Ctrl-C reaches this process, which stops them all.
        processes.append(start_actions(action_port, env, None, wait=False, own_session=True))
        if args.shell:
            shell = [str(BIN / "rasa"), "shell", "--model", str(MODEL_PATH), "--interface", "127.0.0.1"]
            subprocess.run(shell, cwd=ROOT, env=env)  # in the foreground: it reads the terminal
            return 0
        # The browsers allowed to call Rasa and the web service: the local web service itself by default.
        env["ALLOWED_ORIGINS"] = env.get("ALLOWED_ORIGINS") or f"http://localhost:{web_port}"
        processes.append(
            start_rasa(rasa_port, ROOT / "endpoints.yml", env, None, env["RASA_TOKEN"], wait=False, own_session=True)
        )
        web = [str(BIN / "python"), "-m", "webservice", "--port", str(web_port)]
        processes.append(start(web, env, None, own_session=True))
        print(
            f"Rasa on :{rasa_port} (POST /webhooks/rest/webhook), actions on :{action_port}, "
            f"web service on :{web_port}. Ctrl-C stops all.",
            flush=True,
        )
        return _wait_for_any(processes)
    except KeyboardInterrupt:
        return 130
    finally:
        with shielded():
            stop_all(processes)


if __name__ == "__main__":
    sys.exit(main())
