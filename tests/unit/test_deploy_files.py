"""The production files in deploy/: what `systemd-analyze verify` and `nginx -t`
cannot judge (scripts/check_deploy_files.sh runs those).

systemd units: an unprivileged user, secrets only from the 0600 env file and
never on a command line, loopback by default, telemetry off, restart policy,
hardening. nginx site: TLS, sticky socket.io routing, WebSocket upgrade,
limits, loopback upstreams.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
NGINX_SITE = ROOT / "deploy" / "nginx" / "pump-assistant.conf"
DEPLOY_README = ROOT / "deploy" / "README.md"
ENV_FILE = "/etc/pump-assistant/env"
SERVICES = ("pump-assistant-rasa@.service", "pump-assistant-actions.service", "pump-assistant-web.service")
SECRET_NAMES = re.compile(r"TOKEN|PASSWORD|SECRET|AUTH|KEY", re.I)


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as systemd reads it: sections, repeatable keys, `\\` continuations, comments."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1].rstrip() + " "
            continue
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a key=value line: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    assert not pending, f"{path.name}: ends in a continuation"
    return sections


def environment(service: dict[str, list[str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for value in service.get("Environment", []):
        for assignment in shlex.split(value):
            name, _, val = assignment.partition("=")
            env[name] = val
    return env


def one(section: dict[str, list[str]], key: str) -> str:
    values = section.get(key, [])
    assert values, f"{key}= is missing"
    return values[-1]


@pytest.fixture(params=SERVICES)
def unit(request):
    return request.param, parse_unit(SYSTEMD / request.param)


def test_the_unit_files_are_there():
    names = {p.name for p in SYSTEMD.iterdir()}
    assert set(SERVICES) | {"pump-assistant.target"} <= names


def test_runs_as_an_unprivileged_user(unit):
    name, sections = unit
    service = sections["Service"]
    assert one(service, "User") not in ("", "root", "0")
    assert one(service, "Group") not in ("", "root", "0")
    assert one(service, "NoNewPrivileges") == "yes"
    assert one(service, "CapabilityBoundingSet") == ""
    assert service.get("AmbientCapabilities", [""])[-1] == ""


def test_settings_come_from_the_root_only_env_file(unit):
    name, sections = unit
    service = sections["Service"]
    # Required (no "-" prefix): a missing env file must stop the start, not run on defaults.
    assert service.get("EnvironmentFile") == [ENV_FILE]
    env = environment(service)
    secrets = [k for k in env if SECRET_NAMES.search(k)]
    assert not secrets, f"{name}: secrets belong in {ENV_FILE}, not in the unit: {secrets}"


def test_no_secret_on_the_command_line(unit):
    name, sections = unit
    command = one(sections["Service"], "ExecStart")
    for flag in ("--auth-token", "--jwt-secret", "--ssl-password", "-t "):
        assert flag not in command, f"{name}: {flag} on the command line"
    expanded = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", command)
    assert not [v for v in expanded if SECRET_NAMES.search(v)], f"{name}: a secret expanded into ExecStart"


def test_telemetry_is_off(unit):
    name, sections = unit
    assert environment(sections["Service"]).get("RASA_TELEMETRY_ENABLED") == "false"


@pytest.mark.parametrize("name, host_variable", [
    ("pump-assistant-rasa@.service", "RASA_HOST"),
    ("pump-assistant-actions.service", "ACTION_HOST"),
    ("pump-assistant-web.service", "WEB_HOST"),
])
def test_every_service_binds_loopback_by_default(name, host_variable):
    service = parse_unit(SYSTEMD / name)["Service"]
    assert environment(service).get(host_variable) == "127.0.0.1"
    command = one(service, "ExecStart")
    assert "0.0.0.0" not in command and "--interface" not in command and "--host" not in command


def test_rasa_and_the_action_server_start_through_the_wrapper():
    """pump_assistant.serve reads the token from the environment and binds loopback;
    plain `rasa run` would listen on 0.0.0.0 and need the token on its command line."""
    rasa = one(parse_unit(SYSTEMD / "pump-assistant-rasa@.service")["Service"], "ExecStart")
    actions = one(parse_unit(SYSTEMD / "pump-assistant-actions.service")["Service"], "ExecStart")
    assert " -m pump_assistant.serve rasa " in rasa + " "
    assert " -m pump_assistant.serve actions" in actions
    assert "deploy/endpoints.production.yml" in rasa
    assert "--port %i" in rasa  # one instance per port: pump-assistant-rasa@5005.service


def test_restart_policy(unit):
    name, sections = unit
    service = sections["Service"]
    assert one(service, "Restart") in ("on-failure", "always")
    assert one(service, "RestartSec")
    assert sections["Unit"].get("StartLimitBurst") and sections["Unit"].get("StartLimitIntervalSec")
    assert one(sections["Install"], "WantedBy") == "pump-assistant.target"


HARDENING = {
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictSUIDSGID": "yes",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "SystemCallArchitectures": "native",
    "UMask": "0077",
}


def test_hardening(unit):
    name, sections = unit
    service = sections["Service"]
    wrong = {key: service.get(key) for key, value in HARDENING.items() if service.get(key, [None])[-1] != value}
    assert not wrong, f"{name}: {wrong}"
    assert "@system-service" in service.get("SystemCallFilter", [])
    assert set(one(service, "RestrictAddressFamilies").split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}
    # ProtectSystem=strict leaves only the state directory writable.
    assert one(service, "StateDirectory") == "pump-assistant"
    env = environment(service)
    assert env.get("PUMP_DATA_DIR") == env.get("HOME") == "/var/lib/pump-assistant"


def test_the_target_groups_the_services():
    target = parse_unit(SYSTEMD / "pump-assistant.target")
    wants = " ".join(target["Unit"]["Wants"])
    assert "pump-assistant-actions.service" in wants and "pump-assistant-web.service" in wants
    assert one(target["Install"], "WantedBy") == "multi-user.target"


def test_the_deploy_readme_documents_the_env_file_mode():
    text = DEPLOY_README.read_text(encoding="utf-8")
    assert ENV_FILE in text
    assert re.search(r"install\b[^\n]*-m 0?600[^\n]*" + re.escape(ENV_FILE), text), \
        f"deploy/README.md should show creating {ENV_FILE} with mode 0600"
    for unit_name in SERVICES:
        assert unit_name.replace("@.service", "@") in text


# --- nginx -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> str:
    # Comments dropped: the checks are on directives.
    return re.sub(r"#[^\n]*", "", NGINX_SITE.read_text(encoding="utf-8"))


def block(text: str, header: str) -> str:
    """The body of the first `header { ... }` block (balanced braces)."""
    start = re.search(re.escape(header) + r"\s*\{", text)
    assert start, header
    depth, i = 1, start.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start.end():i - 1]


def server_block(site: str, marker: str) -> str:
    """The body of the `server { }` block that contains ``marker``."""
    bodies = []
    for match in re.finditer(r"^server\s*\{", site, re.M):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(site[i], 0)
            i += 1
        bodies.append(site[match.end():i - 1])
    found = [body for body in bodies if marker in body]
    assert len(found) == 1, (marker, len(found))
    return found[0]


def upstream_servers(site: str, name: str) -> list[str]:
    return re.findall(r"^\s*server\s+(\S+?)(?:\s|;)", block(site, f"upstream {name}"), re.M)


def test_socketio_is_sticky_and_upgrades_to_websocket(site):
    sticky = block(site, "upstream pump_rasa_socketio")
    assert re.search(r"^\s*(ip_hash|hash\s+\S*cookie\S*)", sticky, re.M)
    location = block(site, "location /socket.io/")
    assert "proxy_pass http://pump_rasa_socketio;" in location
    server = server_block(site, "listen 443 ssl")
    assert "proxy_set_header Upgrade $http_upgrade;" in server
    assert "proxy_set_header Connection $pump_connection_upgrade;" in server
    assert "proxy_http_version 1.1;" in server
    # A location setting headers of its own would drop the server's (nginx does not merge).
    assert "proxy_set_header" not in location


def test_both_rasa_upstreams_list_the_same_loopback_instances(site):
    sticky, any_ = upstream_servers(site, "pump_rasa_socketio"), upstream_servers(site, "pump_rasa_any")
    assert sticky == any_ and len(sticky) >= 2
    for server in sticky + upstream_servers(site, "pump_web"):
        assert server.startswith("127.0.0.1:"), server


def test_tls_and_limits(site):
    assert re.search(r"listen 443 ssl", site) and re.search(r"return 301 https://", site)
    assert "ssl_certificate     /etc/pump-assistant/tls/fullchain.pem;" in site
    assert "ssl_certificate_key /etc/pump-assistant/tls/privkey.pem;" in site
    assert re.search(r"ssl_protocols TLSv1\.2 TLSv1\.3;", site)
    assert "Strict-Transport-Security" in site
    assert re.search(r"client_max_body_size \d+k;", site)
    assert "limit_req zone=pump_chat" in site and "limit_req zone=pump_login" in site
    assert "server_tokens off;" in site
    # The client's address replaces any X-Forwarded-For it sent (rate limits per patient).
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site


def test_rasas_http_api_is_only_on_loopback(site):
    """Only /socket.io/ and /webhooks/ reach Rasa publicly; its API listens on 127.0.0.1."""
    tls = server_block(site, "listen 443 ssl")
    rasa_locations = re.findall(r"location\s+(\S+)\s*\{[^}]*proxy_pass http://pump_rasa", tls)
    assert sorted(rasa_locations) == ["/socket.io/", "/webhooks/"]
    assert re.search(r"listen 127\.0\.0\.1:5080;", site)
    metrics = block(tls, "location = /metrics")
    assert "deny all;" in metrics
