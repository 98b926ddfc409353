#!/usr/bin/env python3
"""Dependency audit of the pinned set with pip-audit (``make audit``).

Audits requirements/constraints.txt and requirements/no-deps.txt with pip-audit,
run from its own tools venv so that nothing is installed into the project's
.venv. The decision for every known finding is in docs/dependency-audit.md;
requirements/audit-decisions.txt is the machine-readable list of the decided
ids (first column of each line).

Exit status:
  0  every finding is listed as decided
  1  at least one finding is not decided yet (listed as UNDECIDED)
  3  the audit could not be done: no vulnerability data source answered, or
     pip-audit skipped packages. Never reported as "no vulnerabilities".

Vulnerability data, first that is available:
  AUDIT_OSV_DB=DIR  a local copy of an OSV advisory database (OSV .yaml/.json
                    files, e.g. the vulns/ folder of the pypa/advisory-database
                    repository); served to pip-audit on loopback as an OSV API.
  AUDIT_OSV_URL=URL an OSV-compatible query API (e.g. an internal mirror).
  otherwise         pip-audit's default PyPI service, then the public OSV API.
AUDIT_SERVICE=pypi|osv forces one of the last two. Other settings: AUDIT_VENV
(tools venv, .venv-audit), AUDIT_OUT (results/audit), AUDIT_DECISIONS,
AUDIT_FILES (space-separated), PYTHON (to create the tools venv).

Runs with any Python 3; it re-runs itself inside the tools venv, where PyYAML
and packaging (pip-audit's) are available for the loopback OSV API.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run by any Python 3, outside the project's venv: the loopback OSV server is the project's own
# stand-in server (pump_assistant.loopback, standard library only), imported from the checkout.
sys.path.insert(0, str(ROOT))
PIP_AUDIT_VERSION = "2.10.1"
IN_TOOLS_VENV = "PUMP_AUDIT_IN_TOOLS_VENV"


class NotDone(SystemExit):
    """The audit could not be done: message on stderr, exit status 3."""

    def __init__(self, message: str) -> None:
        print(f"audit: {message}", file=sys.stderr)
        super().__init__(3)


# --- tools venv (created once, then reused) -----------------------------------------


def ensure_tools_venv(venv: Path) -> Path:
    pip_audit = venv / "bin" / "pip-audit"
    version = ""
    if pip_audit.exists():
        version = subprocess.run([str(pip_audit), "--version"], capture_output=True, text=True).stdout.strip()
    if version != f"pip-audit {PIP_AUDIT_VERSION}":
        if not (venv / "bin" / "python").exists():
            subprocess.run([os.environ.get("PYTHON", "python3"), "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "pip"),
                "install",
                "--disable-pip-version-check",
                "-q",
                f"pip-audit=={PIP_AUDIT_VERSION}",
                "PyYAML",
            ],
            check=True,
        )
    return venv / "bin" / "python"


# --- decided ids ---------------------------------------------------------------------


def read_decisions(path: Path) -> dict[str, str]:
    """Decided id -> decision (third column), from ``ID package decision reason`` lines."""
    decisions = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split(None, 3)
            decisions[parts[0]] = parts[2] if len(parts) > 2 else "?"
    return decisions


# --- loopback OSV API over a local advisory database ---------------------------------
# Minimal OSV /v1/query endpoint: matches {"package": {"name", "ecosystem": "PyPI"},
# "version"} against OSV records (ECOSYSTEM ranges and explicit version lists).


def _version(value):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(str(value))
    except InvalidVersion:
        return None


def in_range(version, events) -> bool:
    """OSV semantics: walk the events in version order; introduced opens,
    fixed (exclusive) and last_affected (inclusive) close."""
    from packaging.version import Version

    bounds = []
    for event in events:
        ((kind, raw),) = event.items()
        if kind == "limit":
            continue
        bound = Version("0") if raw == "0" else _version(raw)
        if bound is not None:
            bounds.append((bound, kind))
    affected = False
    for bound, kind in sorted(bounds, key=lambda t: t[0]):
        if kind == "introduced" and version >= bound:
            affected = True
        elif kind == "fixed" and version >= bound:
            affected = False
        elif kind == "last_affected" and version > bound:
            affected = False
    return affected


def affects(record: dict, name: str, version) -> bool:
    from packaging.utils import canonicalize_name

    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != "PyPI" or canonicalize_name(package.get("name", "")) != name:
            continue
        if any(_version(v) == version for v in affected.get("versions") or []):
            return True
        for span in affected.get("ranges") or []:
            if span.get("type") == "ECOSYSTEM" and in_range(version, span.get("events") or []):
                return True
    return False


def _rfc3339(value):
    # YAML records load timestamps as datetimes; OSV clients expect ...Z strings
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    return str(value)


def as_served(record: dict, name: str) -> dict:
    from packaging.utils import canonicalize_name

    record = json.loads(json.dumps(record, default=_rfc3339))
    for key in ("published", "modified"):  # strings in other formats: drop rather than crash the client
        value = record.get(key)
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", value):
            record.pop(key)
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") == "PyPI" and canonicalize_name(package.get("name", "")) == name:
            package["name"] = name  # pip-audit compares against the canonical name
    return record


def load_osv_index(db: Path) -> dict[str, list[dict]]:
    import yaml
    from packaging.utils import canonicalize_name

    index: dict[str, list[dict]] = {}
    for path in sorted(db.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        record = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if not isinstance(record, dict) or "id" not in record:
            continue
        for affected in record.get("affected") or []:
            package = affected.get("package") or {}
            if package.get("ecosystem") == "PyPI" and package.get("name"):
                index.setdefault(canonicalize_name(package["name"]), []).append(record)
    return index


def serve_local_osv(db: Path):
    """The OSV API over ``db`` on a loopback port, in a thread; (server, description of the data)."""
    from packaging.utils import canonicalize_name

    from pump_assistant.loopback import Request, serve_json

    try:
        index = load_osv_index(db)
    except Exception as error:  # as the shell version: a database that cannot be read is no data source
        raise NotDone(f"local OSV server failed to start: {error}") from None

    def answer(request: Request):
        query = request.json()
        name = canonicalize_name(query["package"]["name"])
        version = _version(query["version"])
        vulns = [
            as_served(r, name)
            for r in index.get(name, [])
            if version is not None and not r.get("withdrawn") and affects(r, name, version)
        ]
        return 200, {"vulns": vulns} if vulns else {}

    server = serve_json(answer)
    files = [p for p in db.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json")]
    dates = []
    for path in files:
        dates += re.findall(
            r"\"?modified\"?: *['\"]?([0-9]{4}-[0-9]{2}-[0-9]{2})", path.read_text(encoding="utf-8", errors="replace")
        )
    source = f"local OSV database {db} ({len(files)} records, newest modified {max(dates) if dates else 'unknown'})"
    return server, source


# --- pip-audit runs --------------------------------------------------------------------


class Auditor:
    def __init__(self, venv: Path, out: Path):
        self.pip_audit = str(venv / "bin" / "pip-audit")
        self.out = out
        self.service_args: list[str] = []
        self.source = ""

    def report(self, requirements: str) -> Path:
        return self.out / f"{Path(requirements).stem}.json"

    def pip_audit_args(self, requirements: str) -> list[str]:
        """pip-audit over the pinned ``requirements`` as they are (no resolving, no pip), on the chosen service."""
        return [
            self.pip_audit,
            *("-r", requirements, "--no-deps", "--disable-pip", "--progress-spinner", "off"),
            *self.service_args,
        ]

    def run_json(self, requirements: str) -> str:
        """pip-audit -f json over one requirements file: "ok", "skipped" or "error"
        (service unreachable / all packages skipped), leaving the JSON in the output folder."""
        report, log = self.report(requirements), self.out / f"{Path(requirements).stem}.log"
        for path in (report, log):
            path.unlink(missing_ok=True)
        with log.open("w") as out:
            as_json = ("--desc", "on", "--aliases", "on", "-f", "json", "-o", str(report))
            args = [*self.pip_audit_args(requirements), *as_json]
            rc = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT).returncode
        # pip-audit exits 1 both on findings and on a crash: the JSON tells them apart
        try:
            dependencies = json.loads(report.read_text())["dependencies"] if rc <= 1 else None
        except (OSError, ValueError, KeyError, TypeError):
            dependencies = None
        if dependencies is None:
            return "error"
        skipped = [d for d in dependencies if d.get("skip_reason")]
        return "error" if dependencies and len(skipped) == len(dependencies) else "skipped" if skipped else "ok"

    def why(self, requirements: str) -> str:
        """One line on why a run over ``requirements`` gave no usable result."""
        try:
            dependencies = json.loads(self.report(requirements).read_text())["dependencies"]
            reasons = {d["skip_reason"].split(":")[0] for d in dependencies if d.get("skip_reason")}
            if reasons:
                return f"all {len(dependencies)} packages skipped ({'; '.join(sorted(reasons))})"
        except Exception:
            pass
        log = self.out / f"{Path(requirements).stem}.log"
        try:
            errors = [line.strip() for line in log.open(errors="replace") if re.search(r"Error\b", line)]
        except OSError:
            errors = []
        return (errors[-1] if errors else f"pip-audit failed, see {log}")[:300]

    def gate(self, requirements: str, ignored: list[str]) -> subprocess.CompletedProcess:
        """pip-audit itself with every decided id ignored."""
        args = self.pip_audit_args(requirements)
        for vuln in ignored:
            args += ["--ignore-vuln", vuln]
        return subprocess.run(args, capture_output=True, text=True)


def choose_source(auditor: Auditor, files: list[str]) -> str:
    """Tries the data sources in order; sets the auditor's service; the status of the chosen one."""
    osv_db, osv_url = os.environ.get("AUDIT_OSV_DB"), os.environ.get("AUDIT_OSV_URL")
    if osv_db:
        if not Path(osv_db).is_dir():
            raise NotDone(f"AUDIT_OSV_DB={osv_db} is not a directory")
        server, auditor.source = serve_local_osv(Path(osv_db))
        auditor.service_args = ["--vulnerability-service", "osv", "--osv-url", f"{server.url}/v1/query"]
        candidates = ["configured"]
    elif osv_url:
        auditor.service_args = ["--vulnerability-service", "osv", "--osv-url", osv_url]
        auditor.source = f"OSV API at {osv_url}"
        candidates = ["configured"]
    else:
        service = os.environ.get("AUDIT_SERVICE", "auto")
        if service not in ("auto", "pypi", "osv"):
            raise NotDone("AUDIT_SERVICE must be pypi or osv")
        candidates = ["pypi", "osv"] if service == "auto" else [service]

    tried = []
    status = "error"
    for service in candidates:
        if service != "configured":
            auditor.service_args = ["--vulnerability-service", service]
            auditor.source = f"pip-audit's {service} service"
        status = "ok"
        for requirements in files:
            result = auditor.run_json(requirements)
            if result == "error":
                status = "error"
                tried.append(f"{auditor.source}: {auditor.why(requirements)}")
                break
            if result == "skipped":
                status = "skipped"
        if status != "error":
            return status
    print("audit: NOT DONE - no vulnerability data source answered:", file=sys.stderr)
    for line in tried:
        print(f"  - {line}", file=sys.stderr)
    print("  Set AUDIT_OSV_DB to a local OSV advisory database (see docs/dependency-audit.md).", file=sys.stderr)
    raise SystemExit(3)


# --- findings with their decisions (full list, nothing ignored) -------------------------


def print_findings(decisions: dict[str, str], reports: list[Path]) -> None:
    rows, used, skipped = [], set(), []
    for path in reports:
        for dep in json.loads(path.read_text())["dependencies"]:
            if dep.get("skip_reason"):
                skipped.append(f"{dep['name']}: {dep['skip_reason']}")
            for vuln in dep.get("vulns", []):
                ids = [vuln["id"], *vuln.get("aliases", [])]
                hit = next((i for i in ids if i in decisions), None)
                if hit:
                    used.add(hit)
                aliases = ",".join(a for a in vuln.get("aliases", []) if a.startswith(("CVE", "GHSA")))
                rows.append(
                    (
                        dep["name"],
                        dep["version"],
                        vuln["id"],
                        aliases,
                        ",".join(vuln.get("fix_versions", [])) or "-",
                        decisions[hit] if hit else "UNDECIDED",
                    )
                )
    if rows:
        header = ("package", "version", "id", "aliases", "fixed in", "decision")
        widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
        for row in [header, tuple("-" * n for n in widths)] + sorted(rows):
            print("  ".join(str(c).ljust(n) for c, n in zip(row, widths)).rstrip())
    print(f"{len(rows)} finding(s), {sum(r[-1] == 'UNDECIDED' for r in rows)} undecided")
    for line in skipped:
        print(f"SKIPPED (not audited): {line}")
    stale = sorted(set(decisions) - used)
    if stale:
        print(
            "decided ids not reported in this run (remove one only once a complete data source no longer reports it): "
            + " ".join(stale)
        )


def audit(venv: Path) -> int:
    out = Path(os.environ.get("AUDIT_OUT", "results/audit"))
    out.mkdir(parents=True, exist_ok=True)
    decisions = read_decisions(Path(os.environ.get("AUDIT_DECISIONS", "requirements/audit-decisions.txt")))
    files = os.environ.get("AUDIT_FILES", "requirements/constraints.txt requirements/no-deps.txt").split()
    auditor = Auditor(venv, out)
    status = choose_source(auditor, files)

    reports = [auditor.report(f) for f in files]
    print(f"pip-audit {PIP_AUDIT_VERSION} over {' '.join(files)}")
    print(f"data: {auditor.source}")
    print(f"JSON reports: {' '.join(str(r) for r in reports)}")
    sys.stdout.flush()
    print_findings(decisions, reports)
    sys.stdout.flush()
    if status == "skipped":
        raise NotDone("INCOMPLETE - pip-audit skipped some packages (above)")

    for requirements in files:
        result = auditor.gate(requirements, list(decisions))
        (out / "gate.out").write_text(result.stdout)
        (out / "gate.err").write_text(result.stderr)
        if result.returncode != 0 and re.search(r"^Traceback", result.stderr, re.M):
            print(f"audit: NOT DONE - pip-audit failed on {requirements}:", file=sys.stderr)
            print("\n".join(result.stderr.splitlines()[-3:]), file=sys.stderr)
            return 3
        if result.returncode != 0:
            print(
                f"audit: findings in {requirements} that are not decided in docs/dependency-audit.md:", file=sys.stderr
            )
            print(result.stdout, file=sys.stderr, end="")
            return 1
    print("audit: every finding is decided (docs/dependency-audit.md)")
    return 0


def main() -> int:
    os.chdir(ROOT)
    venv = Path(os.environ.get("AUDIT_VENV", ".venv-audit")).absolute()
    if os.environ.get(IN_TOOLS_VENV) != "1":
        python = ensure_tools_venv(venv)
        # Again inside the tools venv: its PyYAML and packaging read the OSV records.
        os.execve(str(python), [str(python), str(Path(__file__).resolve())], {**os.environ, IN_TOOLS_VENV: "1"})
    return audit(venv)


if __name__ == "__main__":
    sys.exit(main())
