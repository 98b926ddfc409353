#!/usr/bin/env bash
# Dependency audit of the pinned set (requirements/constraints.txt and
# requirements/no-deps.txt) with pip-audit, run from its own tools venv so that
# nothing is installed into the project's .venv. The decision for every known
# finding is in docs/dependency-audit.md; requirements/audit-decisions.txt is
# the machine-readable list of the decided ids (first column of each line).
#
# Exit status:
#   0  every finding is listed as decided
#   1  at least one finding is not decided yet (listed as UNDECIDED)
#   3  the audit could not be done: no vulnerability data source answered, or
#      pip-audit skipped packages. Never reported as "no vulnerabilities".
#
# Vulnerability data, first that is available:
#   AUDIT_OSV_DB=DIR  a local copy of an OSV advisory database (OSV .yaml/.json
#                     files, e.g. the vulns/ folder of the pypa/advisory-database
#                     repository); served to pip-audit on loopback as an OSV API.
#   AUDIT_OSV_URL=URL an OSV-compatible query API (e.g. an internal mirror).
#   otherwise         pip-audit's default PyPI service, then the public OSV API.
# AUDIT_SERVICE=pypi|osv forces one of the last two.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TOOLS_VENV=${AUDIT_VENV:-.venv-audit}
PIP_AUDIT_VERSION=2.10.1
OUT=${AUDIT_OUT:-results/audit}
DECISIONS=${AUDIT_DECISIONS:-requirements/audit-decisions.txt}
read -r -a FILES <<<"${AUDIT_FILES:-requirements/constraints.txt requirements/no-deps.txt}"
PY=${PYTHON:-python3}

# --- tools venv (created once, then reused) ---------------------------------
if [[ ! -x $TOOLS_VENV/bin/pip-audit ]] ||
   [[ $("$TOOLS_VENV/bin/pip-audit" --version 2>/dev/null) != "pip-audit $PIP_AUDIT_VERSION" ]]; then
    [[ -x $TOOLS_VENV/bin/python ]] || "$PY" -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install --disable-pip-version-check -q "pip-audit==$PIP_AUDIT_VERSION" PyYAML
fi
TPY=$TOOLS_VENV/bin/python
mkdir -p "$OUT"

# --- decided ids ------------------------------------------------------------
mapfile -t DECIDED < <(sed -e 's/#.*//' "$DECISIONS" | awk 'NF { print $1 }')
IGNORE_ARGS=()
for id in "${DECIDED[@]}"; do IGNORE_ARGS+=(--ignore-vuln "$id"); done

# --- loopback OSV API over a local advisory database -------------------------
SHIM_PID=
cleanup() { if [[ -n $SHIM_PID ]]; then kill "$SHIM_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

start_local_osv() {
    local portfile=$OUT/.osv-port
    rm -f "$portfile"
    "$TPY" - "$AUDIT_OSV_DB" "$portfile" <<'PYEOF' &
# Minimal OSV /v1/query endpoint: matches {"package": {"name", "ecosystem": "PyPI"},
# "version"} against OSV records (ECOSYSTEM ranges and explicit version lists).
import datetime, json, pathlib, re, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

db, portfile = pathlib.Path(sys.argv[1]), sys.argv[2]
index = {}
for path in sorted(db.rglob("*")):
    if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
        continue
    text = path.read_text(encoding="utf-8")
    rec = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(rec, dict) or "id" not in rec:
        continue
    for aff in rec.get("affected") or []:
        pkg = aff.get("package") or {}
        if pkg.get("ecosystem") == "PyPI" and pkg.get("name"):
            index.setdefault(canonicalize_name(pkg["name"]), []).append(rec)

def ver(s):
    try:
        return Version(str(s))
    except InvalidVersion:
        return None

def in_range(v, events):
    # OSV semantics: walk the events in version order; introduced opens,
    # fixed (exclusive) and last_affected (inclusive) close.
    evs = []
    for e in events:
        (kind, raw), = e.items()
        if kind == "limit":
            continue
        bound = Version("0") if raw == "0" else ver(raw)
        if bound is not None:
            evs.append((bound, kind))
    affected = False
    for bound, kind in sorted(evs, key=lambda t: t[0]):
        if kind == "introduced" and v >= bound:
            affected = True
        elif kind == "fixed" and v >= bound:
            affected = False
        elif kind == "last_affected" and v > bound:
            affected = False
    return affected

def affects(rec, name, v):
    for aff in rec.get("affected") or []:
        pkg = aff.get("package") or {}
        if pkg.get("ecosystem") != "PyPI" or canonicalize_name(pkg.get("name", "")) != name:
            continue
        if any(ver(x) == v for x in aff.get("versions") or []):
            return True
        for r in aff.get("ranges") or []:
            if r.get("type") == "ECOSYSTEM" and in_range(v, r.get("events") or []):
                return True
    return False

def rfc3339(value):
    # YAML records load timestamps as datetimes; OSV clients expect ...Z strings
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    return str(value)

def as_served(rec, name):
    rec = json.loads(json.dumps(rec, default=rfc3339))
    for key in ("published", "modified"):  # strings in other formats: drop rather than crash the client
        v = rec.get(key)
        if isinstance(v, str) and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", v):
            rec.pop(key)
    for aff in rec.get("affected") or []:
        pkg = aff.get("package") or {}
        if pkg.get("ecosystem") == "PyPI" and canonicalize_name(pkg.get("name", "")) == name:
            pkg["name"] = name  # pip-audit compares against the canonical name
    return rec

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        q = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        name = canonicalize_name(q["package"]["name"])
        v = ver(q["version"])
        vulns = [as_served(r, name) for r in index.get(name, [])
                 if v is not None and not r.get("withdrawn") and affects(r, name, v)]
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
pathlib.Path(portfile).write_text(str(srv.server_address[1]))
srv.serve_forever()
PYEOF
    SHIM_PID=$!
    for _ in $(seq 1 300); do
        [[ -s $portfile ]] && break
        kill -0 "$SHIM_PID" 2>/dev/null || { echo "audit: local OSV server failed to start" >&2; exit 3; }
        sleep 0.1
    done
    [[ -s $portfile ]] || { echo "audit: local OSV server did not start" >&2; exit 3; }
    SERVICE_ARGS=(--vulnerability-service osv --osv-url "http://127.0.0.1:$(cat "$portfile")/v1/query")
    local n newest
    n=$(find "$AUDIT_OSV_DB" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)
    newest=$(grep -rhoE "\"?modified\"?: *['\"]?[0-9]{4}-[0-9]{2}-[0-9]{2}" "$AUDIT_OSV_DB" 2>/dev/null |
             grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' | sort | tail -1 || true)
    SOURCE="local OSV database $AUDIT_OSV_DB ($n records, newest modified ${newest:-unknown})"
}

# pip-audit -f json run over one requirements file; prints "ok", "skipped" or "error"
# (service unreachable / all packages skipped), leaving the JSON in $OUT.
run_json() {
    local file=$1 json log rc=0
    json=$OUT/$(basename "$file" .txt).json
    log=$OUT/$(basename "$file" .txt).log
    rm -f "$json" "$log"
    "$TOOLS_VENV/bin/pip-audit" -r "$file" --no-deps --disable-pip --progress-spinner off \
        "${SERVICE_ARGS[@]}" --desc on --aliases on -f json -o "$json" >"$log" 2>&1 || rc=$?
    if [[ $rc -gt 1 ]] || ! [[ -s $json ]] || ! "$TPY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$json" 2>/dev/null; then
        # pip-audit exits 1 both on findings and on a crash: the JSON tells them apart
        echo error; return
    fi
    "$TPY" - "$json" <<'PYEOF'
import json, sys
deps = json.load(open(sys.argv[1]))["dependencies"]
skipped = [d for d in deps if d.get("skip_reason")]
print("error" if deps and len(skipped) == len(deps) else "skipped" if skipped else "ok")
PYEOF
}

# one line on why a run over $1 gave no usable result
why() {
    local base
    base=$OUT/$(basename "$1" .txt)
    "$TPY" - "$base.json" "$base.log" <<'PYEOF'
import json, re, sys
try:
    deps = json.load(open(sys.argv[1]))["dependencies"]
    reasons = {d["skip_reason"].split(":")[0] for d in deps if d.get("skip_reason")}
    if reasons:
        print(f"all {len(deps)} packages skipped ({'; '.join(sorted(reasons))})")
        sys.exit()
except Exception:
    pass
errs = [l.strip() for l in open(sys.argv[2], errors="replace") if re.search(r"Error\b", l)]
print((errs[-1] if errs else "pip-audit failed, see " + sys.argv[2])[:300])
PYEOF
}

SOURCE=
SERVICE_ARGS=()
if [[ -n ${AUDIT_OSV_DB:-} ]]; then
    [[ -d $AUDIT_OSV_DB ]] || { echo "audit: AUDIT_OSV_DB=$AUDIT_OSV_DB is not a directory" >&2; exit 3; }
    start_local_osv
    candidates=(configured)
elif [[ -n ${AUDIT_OSV_URL:-} ]]; then
    SERVICE_ARGS=(--vulnerability-service osv --osv-url "$AUDIT_OSV_URL")
    SOURCE="OSV API at $AUDIT_OSV_URL"
    candidates=(configured)
else
    case ${AUDIT_SERVICE:-auto} in
        auto) candidates=(pypi osv) ;;
        pypi|osv) candidates=("$AUDIT_SERVICE") ;;
        *) echo "audit: AUDIT_SERVICE must be pypi or osv" >&2; exit 3 ;;
    esac
fi

tried=()
status=error
for svc in "${candidates[@]}"; do
    if [[ $svc != configured ]]; then
        SERVICE_ARGS=(--vulnerability-service "$svc")
        SOURCE="pip-audit's $svc service"
    fi
    status=ok
    for f in "${FILES[@]}"; do
        s=$(run_json "$f")
        if [[ $s == error ]]; then status=error; break; fi
        [[ $s == skipped ]] && status=skipped
    done
    [[ $status == error ]] || break
    tried+=("$SOURCE: $(why "$f")")
done

if [[ $status == error ]]; then
    echo "audit: NOT DONE - no vulnerability data source answered:" >&2
    printf '  - %s\n' "${tried[@]}" >&2
    echo "  Set AUDIT_OSV_DB to a local OSV advisory database (see docs/dependency-audit.md)." >&2
    exit 3
fi

JSONS=()
for f in "${FILES[@]}"; do JSONS+=("$OUT/$(basename "$f" .txt).json"); done
echo "pip-audit $PIP_AUDIT_VERSION over ${FILES[*]}"
echo "data: $SOURCE"
echo "JSON reports: ${JSONS[*]}"

# --- findings with their decisions (full list, nothing ignored) --------------
"$TPY" - "$DECISIONS" "${JSONS[@]}" <<'PYEOF'
import json, sys
decisions = {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        parts = line.split(None, 3)
        decisions[parts[0]] = parts[2] if len(parts) > 2 else "?"
rows, used, skipped = [], set(), []
for path in sys.argv[2:]:
    for dep in json.load(open(path))["dependencies"]:
        if dep.get("skip_reason"):
            skipped.append(f"{dep['name']}: {dep['skip_reason']}")
        for v in dep.get("vulns", []):
            ids = [v["id"], *v.get("aliases", [])]
            hit = next((i for i in ids if i in decisions), None)
            if hit:
                used.add(hit)
            aliases = ",".join(a for a in v.get("aliases", []) if a.startswith(("CVE", "GHSA")))
            rows.append((dep["name"], dep["version"], v["id"], aliases,
                         ",".join(v.get("fix_versions", [])) or "-",
                         decisions[hit] if hit else "UNDECIDED"))
if rows:
    hdr = ("package", "version", "id", "aliases", "fixed in", "decision")
    w = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
    for r in [hdr, tuple("-" * n for n in w)] + sorted(rows):
        print("  ".join(str(c).ljust(n) for c, n in zip(r, w)).rstrip())
print(f"{len(rows)} finding(s), {sum(r[-1] == 'UNDECIDED' for r in rows)} undecided")
for s in skipped:
    print(f"SKIPPED (not audited): {s}")
stale = sorted(set(decisions) - used)
if stale:
    print("decided ids not reported in this run (remove one only once a complete data source no longer reports it): "
          + " ".join(stale))
PYEOF

if [[ $status == skipped ]]; then
    echo "audit: INCOMPLETE - pip-audit skipped some packages (above)" >&2
    exit 3
fi

# --- gate: pip-audit itself with every decided id ignored ---------------------
for f in "${FILES[@]}"; do
    rc=0
    "$TOOLS_VENV/bin/pip-audit" -r "$f" --no-deps --disable-pip --progress-spinner off \
        "${SERVICE_ARGS[@]}" "${IGNORE_ARGS[@]}" >"$OUT/gate.out" 2>"$OUT/gate.err" || rc=$?
    if [[ $rc -ne 0 ]] && grep -q '^Traceback' "$OUT/gate.err"; then
        echo "audit: NOT DONE - pip-audit failed on $f:" >&2
        tail -3 "$OUT/gate.err" >&2
        exit 3
    elif [[ $rc -ne 0 ]]; then
        echo "audit: findings in $f that are not decided in docs/dependency-audit.md:" >&2
        cat "$OUT/gate.out" >&2
        exit 1
    fi
done
echo "audit: every finding is decided (docs/dependency-audit.md)"
