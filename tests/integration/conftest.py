"""A real stack for end-to-end tests: action server and Rasa server as processes.

Started once per session from the trained model, on free loopback ports, with a
throwaway SQLite database shared by the actions and the in-process web service.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MODEL_PATH, ROOT

BIN = Path(sys.executable).parent
RASA_TOKEN = "integration-rasa-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    rasa_url: str
    env: dict

    def say(self, sender: str, message: str) -> list[dict]:
        return self._post("/webhooks/rest/webhook", {"sender": sender, "message": message})

    def texts(self, sender: str, message: str) -> list[str]:
        return [m.get("text", "") for m in self.say(sender, message)]

    def tracker(self, sender: str) -> dict:
        url = f"{self.rasa_url}/conversations/{sender}/tracker?token={RASA_TOKEN}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def _post(self, path: str, payload: dict) -> list:
        request = urllib.request.Request(
            self.rasa_url + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    @staticmethod
    def new_sender() -> str:
        return "it-" + uuid.uuid4().hex[:12]


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` first")
    work = tmp_path_factory.mktemp("stack")
    action_port, rasa_port = free_port(), free_port()
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "DATABASE_URL": f"sqlite:///{work / 'stack.db'}",
        "OUTBOX_DIR": str(work / "outbox"),
        "CLINIC_PHONE": "(555) 010-0199",
        "RASA_TOKEN": RASA_TOKEN,
    }
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    logs = {name: work / f"{name}.log" for name in ("actions", "rasa")}
    processes = []
    try:
        processes.append(subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT, env=env, stdout=logs["actions"].open("w"), stderr=subprocess.STDOUT,
        ))
        processes.append(subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", str(MODEL_PATH), "--port", str(rasa_port),
             "--endpoints", str(endpoints), "--enable-api", "--auth-token", RASA_TOKEN],
            cwd=ROOT, env=env, stdout=logs["rasa"].open("w"), stderr=subprocess.STDOUT,
        ))
        _wait_for(f"http://127.0.0.1:{action_port}/health", processes[0], logs["actions"])
        _wait_for(f"http://127.0.0.1:{rasa_port}/", processes[1], logs["rasa"])
        yield Stack(rasa_url=f"http://127.0.0.1:{rasa_port}", env=env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
