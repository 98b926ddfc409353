"""pump_assistant.serve: Rasa's token from the environment, never the command line;
loopback by default; telemetry off."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pump_assistant import serve

ROOT = Path(__file__).resolve().parents[2]


def option(argv, name):
    """The value after option ``name`` in argv (None if absent)."""
    return argv[argv.index(name) + 1] if name in argv else None


def test_the_token_from_the_environment_enables_the_api():
    argv = serve.rasa_argv(["--model", "m.tar.gz"], {"RASA_TOKEN": "s3cret"})
    assert argv[0] == "run"
    assert option(argv, "--auth-token") == "s3cret" and "--enable-api" in argv
    assert argv[-2:] == ["--model", "m.tar.gz"]


def test_the_token_from_a_file(tmp_path):
    token_file = tmp_path / "rasa_token"
    token_file.write_text("from-file\n")
    argv = serve.rasa_argv([], {"RASA_TOKEN_FILE": str(token_file), "RASA_TOKEN": "ignored"})
    assert option(argv, "--auth-token") == "from-file"


@pytest.mark.parametrize("content", [None, ""])
def test_an_unreadable_or_empty_token_file_stops_start_up(tmp_path, content):
    token_file = tmp_path / "rasa_token"
    if content is not None:
        token_file.write_text(content)
    with pytest.raises(SystemExit, match="RASA_TOKEN_FILE"):
        serve.rasa_argv([], {"RASA_TOKEN_FILE": str(token_file)})


@pytest.mark.parametrize("args", [
    ["--auth-token", "x"], ["--auth-token=x"], ["--auth-tok", "x"], ["-t", "x"], ["-tx"],
    ["--ssl-password", "x"],
])
def test_a_secret_on_the_command_line_is_refused(args):
    with pytest.raises(SystemExit, match="command line"):
        serve.rasa_argv(["--model", "m.tar.gz", *args], {"RASA_TOKEN": "s3cret"})


def test_no_token_no_api():
    argv = serve.rasa_argv([], {})
    assert "--enable-api" not in argv and "--auth-token" not in argv
    with pytest.raises(SystemExit, match="--enable-api without a token"):
        serve.rasa_argv(["--enable-api"], {})


def test_rasa_binds_loopback_unless_told_otherwise():
    assert option(serve.rasa_argv([], {}), "--interface") == "127.0.0.1"
    assert option(serve.rasa_argv([], {"RASA_HOST": "10.0.0.5"}), "--interface") == "10.0.0.5"
    assert "--interface" not in serve.rasa_argv(["-i", "10.0.0.6"], {})


def test_port_and_cors_from_the_environment():
    argv = serve.rasa_argv([], {"RASA_PORT": "5006", "ALLOWED_ORIGINS": "https://a.example, https://b.example"})
    assert option(argv, "--port") == "5006"
    cors = argv.index("--cors")
    assert argv[cors + 1:cors + 3] == ["https://a.example", "https://b.example"]
    assert argv[cors + 3].startswith("--")  # the next option ends --cors's list
    assert "--port" not in serve.rasa_argv(["--port", "5007"], {"RASA_PORT": "5006"})[:-2]


def test_the_action_server_binds_loopback_unless_told_otherwise():
    environ = {"SANIC_HOST": "0.0.0.0"}
    argv = serve.actions_argv([], environ)
    assert argv[:2] == ["run", "actions"] and option(argv, "--actions") == "actions"
    assert environ["SANIC_HOST"] == "127.0.0.1"
    environ = {"ACTION_HOST": "10.0.0.7", "ACTION_PORT": "5056"}
    assert option(serve.actions_argv([], environ), "--port") == "5056"
    assert environ["SANIC_HOST"] == "10.0.0.7"


def test_telemetry_is_turned_off_whatever_the_environment_says():
    environ = {"RASA_TELEMETRY_ENABLED": "true"}
    serve.disable_telemetry(environ)
    assert environ["RASA_TELEMETRY_ENABLED"] == "false"


def test_the_refusal_happens_before_rasa_loads():
    result = subprocess.run([sys.executable, "-m", "pump_assistant.serve", "rasa", "--auth-token", "x"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "refusing --auth-token" in result.stderr
    assert "rasa" not in result.stdout.lower()
