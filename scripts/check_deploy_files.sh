#!/usr/bin/env bash
# Check the production deployment files without deploying anything:
#
#  1. deploy/systemd/*: `systemd-analyze verify` (unit syntax, unknown keys or
#     values, missing executables, broken dependencies) and
#     `systemd-analyze security --offline=true` (hardening score, must stay at
#     or below 2.0 of 10). Both work without systemd running as PID 1: verify
#     loads the files into a private, minimal test manager and security reads
#     them offline, so this runs in a container as well. What they cannot do
#     here is start a unit: the sandbox options (ProtectSystem=, PrivateTmp=,
#     SystemCallFilter=, ...) need a real systemd to set up the namespaces, so
#     they are checked for syntax and scored, not exercised (deploy/README.md).
#     The units name /opt/pump-assistant; the check points them at a scratch
#     tree whose .venv/bin/python is this checkout's (or python3), so that
#     verify's "is the command executable" check has something to find.
#  2. deploy/nginx/pump-assistant.conf: `nginx -t` with Debian's nginx, on a
#     wrapper nginx.conf that includes the site inside `http { }` as Debian's
#     does, with a throwaway self-signed certificate in place of the site's
#     certificate paths (nothing is written outside a temporary directory and
#     nothing listens: -t only parses and loads).
#  3. The Python lint of the same files and of the docs
#     (tests/unit/test_deploy_files.py, tests/unit/test_readme_truth.py): what
#     systemd cannot judge (non-root user, secrets never on a command line,
#     loopback, telemetry off, hardening present, the env file's mode
#     documented).
#
# Missing Debian packages (systemd, nginx, openssl) are installed with apt-get
# (as root, or through sudo). Any warning counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

need=()
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  # Only the binary is needed. Debian's postinst starts nginx with its default
  # site unless policy-rc.d forbids it (it does in this CI container); on a
  # machine where it started, `systemctl disable --now nginx` stops it.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# --- 1. systemd units -------------------------------------------------------
mkdir -p "$tmp/units" "$tmp/app/.venv/bin"
if [[ -x "$ROOT/.venv/bin/python" ]]; then
  ln -s "$ROOT/.venv/bin/python" "$tmp/app/.venv/bin/python"
else
  ln -s "$(command -v python3)" "$tmp/app/.venv/bin/python"
fi
for unit in deploy/systemd/*.service deploy/systemd/*.target; do
  sed "s#/opt/pump-assistant#$tmp/app#g" "$unit" > "$tmp/units/$(basename "$unit")"
done
# Templates are verified through an instance: pump-assistant-rasa@5005.service.
to_verify=()
for unit in "$tmp"/units/*; do
  name=$(basename "$unit")
  if [[ $name == *@.service ]]; then
    to_verify+=("$tmp/units/${name%@.service}@5005.service")
  else
    to_verify+=("$unit")
  fi
done
names=$(for u in "${to_verify[@]}"; do basename "$u"; done | paste -sd' ')
if out=$(cd "$tmp/units" && systemd-analyze verify --man=no "${to_verify[@]}" 2>&1) && [[ -z $out ]]; then
  echo "systemd-analyze verify: OK ($names)"
else
  echo "systemd-analyze verify: FAILED"; echo "$out" | sed "s#$tmp/app#/opt/pump-assistant#g; s#$tmp/units/##g"; failed=1
fi
services=(); for u in "${to_verify[@]}"; do [[ $u == *.service ]] && services+=("$u"); done
if out=$(cd "$tmp/units" && systemd-analyze security --offline=true --threshold=20 --no-pager "${services[@]}" 2>&1); then
  echo "$out" | grep -E '^→ Overall exposure level' | sed 's/^→ /systemd-analyze security: /'
else
  echo "systemd-analyze security: FAILED (exposure above 2.0, or an error)"
  echo "$out" | grep -E '^(→|✗)|rror' | sed "s#$tmp/units/##g"; failed=1
fi

# --- 2. nginx site ------------------------------------------------------------
mkdir -p "$tmp/nginx/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=assistant.clinic.example" \
  -keyout "$tmp/nginx/tls/privkey.pem" -out "$tmp/nginx/tls/fullchain.pem" >/dev/null 2>&1
sed "s#/etc/pump-assistant/tls/#$tmp/nginx/tls/#g" deploy/nginx/pump-assistant.conf > "$tmp/nginx/site.conf"
cat > "$tmp/nginx/nginx.conf" <<EOF
# Wrapper for \`nginx -t\`: what Debian's /etc/nginx/nginx.conf provides around a site.
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 768; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/site.conf;
}
EOF
if out=$("$NGINX" -t -q -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" 2>&1) && ! grep -q '\[\(warn\|emerg\|crit\|alert\)\]' <<<"$out"; then
  echo "nginx -t: OK (deploy/nginx/pump-assistant.conf, $("$NGINX" -v 2>&1 | sed 's#.*/##'))"
else
  echo "nginx -t: FAILED"; echo "$out" | sed "s#$tmp/nginx/site.conf#deploy/nginx/pump-assistant.conf#g"; failed=1
fi

# --- 3. Python lint -----------------------------------------------------------
PY="$ROOT/.venv/bin/python"; [[ -x $PY ]] || PY=python3
if "$PY" -c "import pytest" 2>/dev/null; then
  if out=$("$PY" -m pytest -q -p no:cacheprovider tests/unit/test_deploy_files.py tests/unit/test_readme_truth.py 2>&1); then
    echo "python lint: $(tail -n 1 <<<"$out")"
  else
    echo "python lint: FAILED"; echo "$out" | tail -n 40; failed=1
  fi
else
  echo "python lint: FAILED (pytest is not installed: run make setup)"; failed=1
fi

if ((failed)); then echo "check-deploy: FAILED"; exit 1; fi
echo "check-deploy: OK"
