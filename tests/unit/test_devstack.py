"""One way to start the stack: pump_assistant.devstack, used by the tests, bench/ and the load test."""
from __future__ import annotations

import re
from pathlib import Path

from pump_assistant import devstack
from tests.support import processes

ROOT = Path(__file__).resolve().parents[2]


def test_the_tests_start_processes_with_devstack():
    for name in ("free_port", "wait_for_http", "start", "start_actions", "start_rasa", "stop", "post_json", "get_json"):
        assert getattr(processes, name) is getattr(devstack, name), name
    assert processes.ROOT == devstack.ROOT == ROOT


def test_bench_neither_imports_the_tests_nor_edits_sys_path():
    for path in sorted((ROOT / "bench").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) tests\b", source, re.M), f"{path.name} imports from tests/"
        assert "sys.path" not in source, f"{path.name} edits sys.path"


def test_endpoints_for_a_local_stack_use_the_projects_tracker_store(tmp_path):
    endpoints = devstack.endpoints_for(5055, "sqlite", tmp_path / "c.db")
    assert endpoints["action_endpoint"] == {"url": "http://127.0.0.1:5055/webhook"}
    assert endpoints["tracker_store"]["type"] == "pump_assistant.rasa_ext.stores.sql.ResilientSQLTrackerStore"
    assert endpoints["tracker_store"]["db"] == str(tmp_path / "c.db")
    assert "tracker_store" not in devstack.endpoints_for(5055, "memory", tmp_path / "c.db")


def test_make_run_and_make_shell_start_the_stack_through_devstack():
    recipes: dict[str, list[str]] = {}
    target = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("\t") and target:
            recipes[target].append(line.strip())
        else:
            match = re.match(r"^([a-z-]+):", line)
            target = match[1] if match else None
            if target:
                recipes[target] = []
    assert recipes["run"] == ["$(BIN)/python -m pump_assistant.devstack"]
    assert recipes["shell"] == ["$(BIN)/python -m pump_assistant.devstack --shell"]


def test_a_local_run_makes_up_missing_tokens_and_prints_only_the_staff_one(tmp_path):
    said: list[str] = []
    env = devstack.session_env({"RASA_TELEMETRY_ENABLED": "true", "PATH": "/bin"}, say=said.append)
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["PATH"] == "/bin"
    assert len(env["DESK_API_TOKEN"]) >= 20 and len(env["RASA_TOKEN"]) >= 20
    assert said == [f"DESK_API_TOKEN for this session: {env['DESK_API_TOKEN']}"]
    again = devstack.session_env({}, say=said.append)
    assert again["RASA_TOKEN"] != env["RASA_TOKEN"], "a token made up for one session only"


def test_a_local_run_keeps_the_tokens_it_is_given(tmp_path):
    said: list[str] = []
    given = devstack.session_env({"DESK_API_TOKEN": "desk-token", "RASA_TOKEN": "rasa-token"}, say=said.append)
    assert (given["DESK_API_TOKEN"], given["RASA_TOKEN"], said) == ("desk-token", "rasa-token", [])
    token_file = tmp_path / "rasa_token"
    token_file.write_text("from-the-file\n")
    from_file = devstack.session_env({"DESK_API_TOKEN": "d", "RASA_TOKEN_FILE": str(token_file)}, say=said.append)
    assert from_file["RASA_TOKEN"] == "from-the-file"  # Rasa and the web service share it
