#!/usr/bin/env bash
# Check a release bundle the way a fresh machine would use it: unpack it into a
# temporary folder, build a FRESH virtualenv there from requirements/runtime.txt
# only (./start.sh --setup-only: the Makefile's pip flags and this machine's pip
# configuration, so the same wheel sources), start the three services from the
# unpacked bundle on free loopback ports, and send a pump question and an
# emergency through Rasa's REST webhook: the answer must name its source
# ("Source:"), the emergency reply must say 911. Processes and the temporary
# folder are removed on exit, pass or fail.
#
#   scripts/check_bundle.sh [dist/pump-assistant-<version>.tar.gz]   (default: the newest in dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bundle=${1:-$(ls -t dist/pump-assistant-*.tar.gz 2>/dev/null | head -1)}
[[ -n $bundle && -f $bundle ]] || { echo "check_bundle: no bundle; run make bundle" >&2; exit 1; }
bundle=$(realpath "$bundle")

tmp=$(mktemp -d -t pump-bundle-check.XXXXXX)
svc_pid=
cleanup() {
  status=$?
  if [[ -n $svc_pid ]]; then
    kill -TERM -- "-$svc_pid" 2>/dev/null || true   # the services' own process group (setsid)
    for _ in $(seq 30); do kill -0 -- "-$svc_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$svc_pid" 2>/dev/null || true
  fi
  if ((status != 0)) && [[ -f $tmp/services.log ]]; then
    echo "--- last lines of the services' log ---" >&2; tail -40 "$tmp/services.log" >&2
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "check_bundle: unpacking $(basename "$bundle") into $tmp"
tar -xzf "$bundle" -C "$tmp"
dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'pump-assistant-*' | head -1)
[[ -x $dir/start.sh ]] || { echo "check_bundle: no start.sh in the bundle" >&2; exit 1; }
[[ ! -e $dir/.venv ]] || { echo "check_bundle: the bundle carries a .venv" >&2; exit 1; }
for f in models/pump-assistant.tar.gz models/spacy/en_pump/meta.json models/minilm/all-minilm-l6-v2.onnx content/answers.yml \
         requirements/runtime.txt pump_assistant/storage/migrations; do
  [[ -e $dir/$f ]] || { echo "check_bundle: $f missing from the bundle" >&2; exit 1; }
done
ls "$dir"/pump_assistant/triage/*.yml >/dev/null
if grep -qiE '^(pytest|playwright|hypothesis|py-spy|pip-audit|axe-playwright)' "$dir/requirements/runtime.txt"; then
  echo "check_bundle: a test/dev tool in requirements/runtime.txt" >&2; exit 1
fi

# A machine that never trained: no project venv on PATH, no project settings.
unset VIRTUAL_ENV ANSWER_REGISTRY PAGES_DIR SPACY_MODEL_DIR DATABASE_URL PUMP_DATA_DIR OUTBOX_DIR \
      RASA_URL ACTION_SERVER_URL RASA_PUBLIC_URL ALLOWED_ORIGINS REDIS_URL RABBITMQ_HOST MPLSETUPCFG || true
export PATH=$(echo "$PATH" | tr ':' '\n' | grep -v "/\.venv/bin" | paste -sd:)

t0=$(date +%s)
echo "check_bundle: fresh virtualenv from requirements/runtime.txt"
"$dir/start.sh" --setup-only
echo "check_bundle: virtualenv ready in $(( $(date +%s) - t0 )) s"
py=$dir/.venv/bin/python
if "$py" -m pip show -q pytest playwright hypothesis >/dev/null 2>&1 || \
   "$py" -c 'import importlib.util as u,sys; sys.exit(0 if any(u.find_spec(m) for m in ("pytest","playwright","hypothesis")) else 1)'; then
  echo "check_bundle: a test tool got into the runtime virtualenv" >&2; exit 1
fi

read -r RASA_PORT ACTION_PORT WEB_PORT < <("$py" - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()
PY
)
export RASA_PORT ACTION_PORT WEB_PORT
export RASA_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=') DESK_API_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export RATE_LIMIT_PER_SENDER=0 RATE_LIMIT_PER_IP=0
echo "check_bundle: starting the services (Rasa :$RASA_PORT, actions :$ACTION_PORT, web :$WEB_PORT)"
t0=$(date +%s)
setsid "$dir/start.sh" > "$tmp/services.log" 2>&1 < /dev/null &
svc_pid=$!

wait_for() {  # url seconds
  local deadline=$(( $(date +%s) + $2 ))
  until curl -fs -o /dev/null --max-time 3 "$1"; do
    kill -0 "$svc_pid" 2>/dev/null || { echo "check_bundle: the services stopped" >&2; return 1; }
    (( $(date +%s) < deadline )) || { echo "check_bundle: $1 did not answer within $2 s" >&2; return 1; }
    sleep 2
  done
}
wait_for "http://127.0.0.1:$ACTION_PORT/health" 240
# Rasa loads the model before it listens (the token stays off command lines: GET / needs none).
wait_for "http://127.0.0.1:$RASA_PORT/" 240
wait_for "http://127.0.0.1:$WEB_PORT/health/live" 120
echo "check_bundle: services up in $(( $(date +%s) - t0 )) s"

ask() {  # sender message -> the bot's texts, one per line
  curl -fsS --max-time 60 "http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook" \
       -H 'Content-Type: application/json' \
       -d "$("$py" -c 'import json,sys; print(json.dumps({"sender": sys.argv[1], "message": sys.argv[2]}))' "$1" "$2")" \
    | "$py" -c 'import json,sys; [print(m.get("text","")) for m in json.load(sys.stdin)]'
}
fail=0
q="how often is the pump refilled?"
reply=$(ask "bundle-check-faq" "$q")
printf 'Q: %s\nA: %s\n' "$q" "$reply"
grep -q "Source:" <<<"$reply" || { echo "check_bundle: FAIL: no 'Source:' in the answer" >&2; fail=1; }
q="my pump alarm is going off and I can't breathe"
reply=$(ask "bundle-check-emergency" "$q")
printf 'Q: %s\nA: %s\n' "$q" "$reply"
grep -q "911" <<<"$reply" || { echo "check_bundle: FAIL: no '911' in the emergency reply" >&2; fail=1; }
ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$WEB_PORT/health/ready")
echo "web service /health/ready: $ready"
[[ $ready == 200 ]] || { echo "check_bundle: FAIL: /health/ready $ready" >&2; fail=1; }
((fail == 0)) || exit 1
echo "check_bundle: OK in $(( $(date +%s) - started )) s"
