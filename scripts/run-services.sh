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

$BIN/rasa run actions --actions actions --port "${ACTION_PORT:-5055}" &
pids+=($!)

if [[ "${1:-}" == "--shell" ]]; then
  $BIN/rasa shell --model models/pump-assistant.tar.gz
  exit 0
fi

rasa_args=(--model models/pump-assistant.tar.gz --port "${RASA_PORT:-5005}")
# Rasa's HTTP API is never open: it is only enabled with a token.
if [[ -n "${RASA_TOKEN:-}" ]]; then rasa_args+=(--enable-api --auth-token "$RASA_TOKEN"); fi
export ALLOWED_ORIGINS="${ALLOWED_ORIGINS:-http://localhost:${WEB_PORT:-8000}}"
rasa_args+=(--cors ${ALLOWED_ORIGINS//,/ })
$BIN/rasa run "${rasa_args[@]}" &
pids+=($!)
$BIN/python -m webservice --port "${WEB_PORT:-8000}" &
pids+=($!)
echo "Rasa on :${RASA_PORT:-5005} (POST /webhooks/rest/webhook), actions on :${ACTION_PORT:-5055}, web service on :${WEB_PORT:-8000}. Ctrl-C stops all."
wait -n
