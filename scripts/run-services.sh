#!/usr/bin/env bash
# Start the action server (:5055), the Rasa server (:5005, REST channel) and the
# web service (:8000, staff API) on embedded defaults; Ctrl-C stops them all.
# With --shell, chat in the terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
mkdir -p var
# The staff API and Rasa's HTTP API need tokens. For a local run without them,
# make up random ones for this session (printed once, never stored).
if [[ -z "${DESK_API_TOKEN:-}" ]]; then export DESK_API_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+='); echo "DESK_API_TOKEN for this session: $DESK_API_TOKEN"; fi
if [[ -z "${RASA_TOKEN:-}" ]]; then export RASA_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+='); fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Both Rasa processes start through pump_assistant.serve: loopback unless RASA_HOST /
# ACTION_HOST say otherwise, telemetry off, and the API token read from the
# environment inside the process (never on a command line, where `ps` shows it).
$BIN/python -m pump_assistant.serve actions --port "${ACTION_PORT:-5055}" &
pids+=($!)

if [[ "${1:-}" == "--shell" ]]; then
  $BIN/rasa shell --model models/pump-assistant.tar.gz --interface 127.0.0.1
  exit 0
fi

# Rasa's HTTP API is never open: pump_assistant.serve enables it only with
# RASA_TOKEN, and passes ALLOWED_ORIGINS as --cors.
export ALLOWED_ORIGINS="${ALLOWED_ORIGINS:-http://localhost:${WEB_PORT:-8000}}"
$BIN/python -m pump_assistant.serve rasa --model models/pump-assistant.tar.gz --port "${RASA_PORT:-5005}" &
pids+=($!)
$BIN/python -m webservice --port "${WEB_PORT:-8000}" &
pids+=($!)
echo "Rasa on :${RASA_PORT:-5005} (POST /webhooks/rest/webhook), actions on :${ACTION_PORT:-5055}, web service on :${WEB_PORT:-8000}. Ctrl-C stops all."
wait -n
