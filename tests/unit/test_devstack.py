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
