"""What the README, the Makefile, .env.example and the deploy docs say is true.

- `make help` lists every target the Makefile defines, each with a `## description`;
- `.env.example` names every environment variable the code reads
  (pump_assistant/, webservice/, actions/);
- no document, Makefile or script passes Rasa's API token with `--auth-token`
  (whatever follows it, a literal or "$RASA_TOKEN", lands on a command line
  that every local user can read: pump_assistant.serve reads it from the
  environment instead);
- every documented `rasa run` command turns telemetry off.
"""
from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"
ENV_EXAMPLE = ROOT / ".env.example"
CODE_DIRS = ("pump_assistant", "webservice", "actions")
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")

# --- Makefile -----------------------------------------------------------------

# A rule line: `name: prerequisites ## description`. Not a variable (`X := y`,
# `X ?= y`), not a special target (.PHONY), not a file target ($(BIN)/python).
TARGET_LINE = re.compile(r"^(?P<names>[A-Za-z0-9_-]+(?:[ \t]+[A-Za-z0-9_-]+)*)[ \t]*::?(?![=])(?P<rest>.*)$")


def makefile_targets() -> dict[str, str]:
    """Every target the Makefile defines -> the rest of its rule line."""
    targets: dict[str, str] = {}
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith(("\t", "#", " ")) or line.startswith(("export ", "override ", "define ", "include ")):
            continue
        match = TARGET_LINE.match(line)
        if match:
            for name in match["names"].split():
                targets[name] = match["rest"]
    return targets


def test_the_makefile_parser_finds_the_readme_targets():
    targets = makefile_targets()
    for name in ("help", "run", "test", "test-services", "check-deploy"):
        assert name in targets
    assert "SHELL" not in targets and ".PHONY" not in targets


def test_every_target_has_a_help_description():
    missing = [name for name, rest in makefile_targets().items() if not re.search(r"##\s*\S", rest)]
    assert not missing, f"Makefile targets without a `## description` (make help cannot list them): {missing}"


@pytest.fixture(scope="module")
def make_help() -> str:
    result = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_help_lists_every_target(make_help):
    listed = {line.split()[0] for line in make_help.splitlines() if line.strip()}
    missing = sorted(set(makefile_targets()) - listed)
    assert not missing, f"`make help` does not list: {missing}\n{make_help}"


def test_make_help_shows_each_targets_description(make_help):
    for name, rest in makefile_targets().items():
        description = rest.split("##", 1)[1].strip()
        assert any(line.split()[:1] == [name] and description in line for line in make_help.splitlines()), name


def test_every_target_is_phony():
    phony: set[str] = set()
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith(".PHONY:"):
            phony.update(line.split(":", 1)[1].split())
    missing = sorted(set(makefile_targets()) - phony)
    assert not missing, f"targets missing from .PHONY: {missing}"


# --- .env.example -------------------------------------------------------------


def _is_os_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _is_environ_like(node: ast.AST) -> bool:
    """os.environ, or a mapping passed around under the name environ/env."""
    return _is_os_environ(node) or (isinstance(node, ast.Name) and node.id in ("environ", "env"))


def _literal(node: ast.AST):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def environment_reads(source: str) -> set[str]:
    """Names of the environment variables a module reads: os.environ.get("X"),
    os.environ["X"], "X" in os.environ, os.getenv("X"), the same on a mapping
    called environ/env, and helpers like ``_float("X", ...)`` whose parameter is
    the key of one of those reads."""
    tree = ast.parse(source)
    names: set[str] = set()
    # helper function name -> index of the parameter used as an environment key
    helpers: dict[str, int] = {}

    def key_of(node: ast.AST):
        """The key expression of an environment read, or None."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "setdefault", "pop") and _is_environ_like(node.func.value) and node.args:
                return node.args[0]
            if node.func.attr == "getenv" and isinstance(node.func.value, ast.Name) and node.func.value.id == "os" and node.args:
                return node.args[0]
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ_like(node.value):
            return node.slice
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and _is_environ_like(node.comparators[0]):
            return node.left
        return None

    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = [a.arg for a in func.args.args]
            for node in ast.walk(func):
                key = key_of(node)
                if isinstance(key, ast.Name) and key.id in params:
                    helpers[func.name] = params.index(key.id)
    for node in ast.walk(tree):
        key = key_of(node)
        if key is not None and _literal(key) and ENV_NAME.match(_literal(key)):
            names.add(_literal(key))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
            index = helpers[node.func.id]
            if len(node.args) > index and _literal(node.args[index]) and ENV_NAME.match(_literal(node.args[index])):
                names.add(_literal(node.args[index]))
    return names


def code_environment_reads() -> dict[str, set[str]]:
    from pump_assistant.config import read_by_name

    # Settings read by their field's name (pump_assistant.config): no literal to scan for.
    reads: dict[str, set[str]] = {name: {"pump_assistant/config.py"} for name in read_by_name().values()}
    for directory in CODE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            for name in environment_reads(path.read_text(encoding="utf-8")):
                reads.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return reads


def env_example_names() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match[1])
    return names


def test_the_environment_scanner_sees_every_form():
    source = '''
import os
def _float(name, default):
    value = os.environ.get(name)
def f(environ):
    return environ.get("FROM_MAPPING"), environ["sanic.request"]
A = os.environ.get("A_GET", "x")
B = os.environ["B_SUBSCRIPT"]
C = "C_IN" in os.environ
D = os.getenv("D_GETENV")
E = _float("E_HELPER", 1.0)
os.environ["WRITTEN_ONLY"] = "1"
'''
    assert environment_reads(source) == {"FROM_MAPPING", "A_GET", "B_SUBSCRIPT", "C_IN", "D_GETENV", "E_HELPER"}


def test_the_scanner_finds_the_known_settings():
    reads = code_environment_reads()
    for name in ("DATABASE_URL", "PUMP_DATA_DIR", "ANSWER_CONFIDENCE", "RASA_TOKEN", "WEB_PORT"):
        assert name in reads, name


def test_env_example_names_every_variable_the_code_reads():
    documented = env_example_names()
    missing = {name: sorted(paths) for name, paths in code_environment_reads().items() if name not in documented}
    assert not missing, f".env.example does not name (add each with a comment): {missing}"


def test_every_env_example_variable_has_a_comment():
    """Each variable sits under a comment (the block of lines above it, up to a blank line)."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    uncommented = []
    for i, line in enumerate(lines):
        if not re.match(r"^[A-Z][A-Z0-9_]*=", line):
            continue
        j = i - 1
        while j >= 0 and lines[j].strip() and not lines[j].lstrip().startswith("#"):
            j -= 1
        if j < 0 or not lines[j].lstrip().startswith("#"):
            uncommented.append(line.split("=", 1)[0])
    assert not uncommented, uncommented


# --- Deploy docs, Makefile, scripts: tokens and telemetry -----------------------


def documents() -> list[Path]:
    paths = [ROOT / "README.md", MAKEFILE, ROOT / ".ci" / "run"]
    paths += sorted(p for p in (ROOT / "deploy").rglob("*") if p.is_file())
    paths += sorted((ROOT / "scripts").glob("*.sh"))
    return [p for p in paths if p.exists()]


# `--auth-token X`, `--auth-token=X`, `--auth-token "$RASA_TOKEN"`; not the
# flag named in prose (`--auth-token` followed by a backtick or punctuation).
AUTH_TOKEN_WITH_VALUE = re.compile(r"--auth-token(?:=|[ \t]+\\?\n?[ \t]*)(?P<value>[\"'$\w{][^\s`]*)")


@pytest.mark.parametrize("text, caught", [
    ('rasa run --enable-api --auth-token "$RASA_TOKEN"', True),
    ("rasa run --auth-token=s3cret", True),
    ("rasa run --auth-token thisisthetoken --cors", True),
    ("Rasa's `--auth-token` flag puts the token on the command line.", False),
    ("never pass --auth-token: use RASA_TOKEN", False),
])
def test_the_auth_token_pattern(text, caught):
    assert bool(AUTH_TOKEN_WITH_VALUE.search(text)) is caught


def test_no_document_or_script_passes_the_rasa_token_on_a_command_line():
    offending = []
    for path in documents():
        for match in AUTH_TOKEN_WITH_VALUE.finditer(path.read_text(encoding="utf-8", errors="replace")):
            offending.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert not offending, offending


def code_spans(markdown: str) -> list[str]:
    """Fenced code blocks and inline code spans."""
    spans = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.S | re.M)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.S | re.M)
    spans += re.findall(r"`([^`\n]+)`", prose)
    return spans


RASA_RUN = re.compile(r"(?<![\w.-])rasa run\b")


def commands(span: str) -> list[str]:
    """Shell commands in a code span, continuation lines joined."""
    return [c.strip() for c in span.replace("\\\n", " ").splitlines() if c.strip()]


# The command named in prose ("plain `rasa run` listens on 0.0.0.0"), not a command to run.
COMMAND_NAME = re.compile(r"^(\S*/)?rasa run( actions)?$")


def test_every_documented_rasa_run_command_disables_telemetry():
    docs = [ROOT / "README.md", *sorted((ROOT / "deploy").rglob("*.md")), *sorted((ROOT / "docs").glob("*.md"))]
    offending = []
    for path in docs:
        for span in code_spans(path.read_text(encoding="utf-8")):
            for command in commands(span):
                if COMMAND_NAME.match(command):
                    continue
                if RASA_RUN.search(command) and "RASA_TELEMETRY_ENABLED=false" not in command:
                    offending.append(f"{path.relative_to(ROOT)}: {command}")
    assert not offending, (
        "documented `rasa run` commands without RASA_TELEMETRY_ENABLED=false "
        f"(or use python -m pump_assistant.serve, which turns it off): {offending}"
    )


def test_the_makefile_and_scripts_turn_telemetry_off():
    assert re.search(r"^export RASA_TELEMETRY_ENABLED\s*:?=\s*false\s*$", MAKEFILE.read_text(), re.M)
    for script in sorted((ROOT / "scripts").glob("*.sh")):
        text = script.read_text(encoding="utf-8")
        if RASA_RUN.search(text) or "pump_assistant.serve" in text or "bin/rasa" in text:
            assert "RASA_TELEMETRY_ENABLED=false" in text, script.name


def test_ci_checks_the_deploy_files_after_the_tests():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make test" in lines and "make check-deploy" in lines
    assert lines.index("make check-deploy") > lines.index("make test")
