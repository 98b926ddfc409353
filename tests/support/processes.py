"""Starting the assistant's real processes for tests: free ports, waiting, stopping."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
MODEL_PATH = ROOT / "models" / "pump-assistant.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
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


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def start_actions(port: int, env: dict, log: Path) -> subprocess.Popen:
    process = start([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)], env, log)
    wait_for_http(f"http://127.0.0.1:{port}/health", process, log)
    return process


def start_rasa(
    port: int, endpoints: Path, env: dict, log: Path, token: str, wait: bool = True, cors: Optional[str] = None
) -> subprocess.Popen:
    args = [str(BIN / "rasa"), "run", "--model", str(MODEL_PATH), "--port", str(port), "--endpoints", str(endpoints),
            "--enable-api", "--auth-token", token]
    process = start(args + (["--cors", cors] if cors else []), env, log)
    if wait:
        wait_for_http(f"http://127.0.0.1:{port}/", process, log)
    return process


def stop(process: Optional[subprocess.Popen]) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def post_json(url: str, payload: dict, timeout: float = 60) -> tuple[int, object]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get_json(url: str, timeout: float = 30) -> object:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())
