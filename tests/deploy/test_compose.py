"""The promises of the production deployment files, read without Docker.

docker-compose.yml, .env.example, the Dockerfile and deploy/gunicorn.conf.py are parsed and checked
for what deploy/README.md tells operators: which services run, how they start and restart, that no
secret is written into the compose file or the image, and that the Celery time limits fit.
"""

from __future__ import annotations

import re
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
ENV_DB_EXAMPLE = ROOT / ".env.db.example"
DOCKERFILE = ROOT / "Dockerfile"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

WORKERS = ("worker", "worker-documents", "worker-notifications", "worker-webhooks")
APP_SERVICES = ("web", *WORKERS, "beat")
LONG_RUNNING = ("postgres", "redis", *APP_SERVICES)
SECRET_NAMES = ("SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL", "PASSWORD", "TOKEN")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = compose["services"]
    return result


def parse_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"not KEY=value: {line!r}"
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), line
            assert key not in values, f"{key} twice"
            values[key] = value
    return values


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def env_db_example() -> dict[str, str]:
    return parse_env_file(ENV_DB_EXAMPLE)


def command_of(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def env_files(service: dict[str, Any]) -> list[str]:
    files = service.get("env_file", [])
    files = [files] if isinstance(files, str) else files
    return [item if isinstance(item, str) else item["path"] for item in files]


def healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def seconds(duration: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert parts, duration
    assert "".join(n + u for n, u in parts) == duration, duration
    return sum(float(number) * units[unit] for number, unit in parts)


def all_strings(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from all_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_strings(item)
    elif node is not None:
        yield str(node)


# --- docker-compose.yml -----------------------------------------------------------------------


SCALE_OUT = ("web2", "proxy", "pgbouncer")


def test_services(services):
    assert set(services) == {*LONG_RUNNING, "migrate", *SCALE_OUT}


def test_scale_out_services_are_opt_in_and_consistent(services):
    """A second web instance behind nginx (--profile scaled) and PgBouncer (--profile pooled): off by
    default, the second instance exactly the first, nginx balancing over both from deploy/nginx.conf."""
    assert services["web2"]["profiles"] == ["scaled"]
    assert services["proxy"]["profiles"] == ["scaled"]
    assert services["pgbouncer"]["profiles"] == ["pooled"]
    for key in ("command", "image", "env_file", "volumes", "healthcheck", "environment"):
        assert services["web2"][key] == services["web"][key], key
    assert services["web2"]["ports"] != services["web"]["ports"]
    proxy = services["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/templates/nginx.conf.template:ro" in proxy["volumes"]
    assert proxy["environment"]["NGINX_UPSTREAM_SERVERS"] == "server web:8000; server web2:8000;"
    pgbouncer = services["pgbouncer"]
    assert "./deploy/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini.template:ro" in pgbouncer["volumes"]
    assert pgbouncer["environment"]["PGBOUNCER_SERVER_HOST"] == "postgres"
    assert env_files(pgbouncer) == [".env"]
    template = (ROOT / "deploy" / "pgbouncer.ini").read_text()
    assert re.search(r"^pool_mode = transaction$", template, re.MULTILINE)
    entrypoint = (ROOT / "deploy" / "pgbouncer" / "entrypoint.sh").read_text()
    for name in sorted(set(re.findall(r"\$\{([A-Z_]+)\}", template))):
        assert f"${{{name}}}" in entrypoint, f"the entrypoint does not fill in {name}"


def test_images_and_build(services):
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in (*APP_SERVICES, "migrate"):
        build = services[name]["build"]
        context = build if isinstance(build, str) else build["context"]
        assert context == ".", name
        assert services[name]["image"] == services["web"]["image"], "one image for all"


def test_restart_policies(services):
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no", "a one-shot service must not be restarted"


def test_env_file_for_everything_that_needs_settings(services):
    for name in APP_SERVICES:
        assert env_files(services[name]) == [".env"], name
    # The privileged database credentials: for the database itself and the migrations only, read after
    # .env so that its DATABASE_URL (the owner's) wins.
    for name in ("postgres", "migrate"):
        assert env_files(services[name]) == [".env", ".env.db"], name


def test_only_postgres_and_migrate_get_the_owners_credentials(services, env_example, env_db_example):
    for name, service in services.items():
        if name not in ("postgres", "migrate"):
            assert ".env.db" not in env_files(service), name
    # .env, which every service reads, holds neither the superuser's nor the owner's password.
    for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "DB_OWNER_USER", "DB_OWNER_PASSWORD"):
        assert key not in env_example, key
        assert env_db_example[key], key
    for secret in (env_db_example["POSTGRES_PASSWORD"], env_db_example["DB_OWNER_PASSWORD"]):
        assert secret not in ENV_EXAMPLE.read_text()


def test_env_db_is_never_committed_nor_built_into_the_image():
    for ignore in (".gitignore", ".dockerignore"):
        assert ".env.db" in (ROOT / ignore).read_text().splitlines(), ignore


def test_postgres_creates_the_two_roles_on_its_first_start(services):
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["postgres"]["volumes"]}
    init = ROOT / mounts["/docker-entrypoint-initdb.d"]
    scripts = sorted(init.iterdir())
    assert [p.name for p in scripts] == ["10-db-roles.sh"]
    # Executable: the image runs it (a non-executable .sh would be sourced into its own shell).
    assert scripts[0].stat().st_mode & 0o111
    assert "/deploy/db-roles.sh" in scripts[0].read_text()
    assert mounts["/deploy"] == "./deploy"
    assert (ROOT / "deploy" / "db-roles.sh").stat().st_mode & 0o111


def test_no_secret_is_written_into_the_compose_file(compose, services, env_example, env_db_example):
    text = COMPOSE_FILE.read_text()
    for name in (
        "SECRET_KEY",
        "POSTGRES_PASSWORD",
        "DB_OWNER_PASSWORD",
        "DB_APP_PASSWORD",
        "DATABASE_URL",
        "EMAIL_HOST_PASSWORD",
    ):
        # Neither KEY=value nor KEY: value anywhere, in a list or a mapping.
        assert not re.search(rf"\b{name}\s*[=:]\s*\S", text), f"{name} is set in docker-compose.yml"
    for name, service in services.items():
        environment = service.get("environment") or {}
        keys = (
            [item.partition("=")[0] for item in environment]
            if isinstance(environment, list)
            else list(environment)
        )
        for key in keys:
            assert not any(secret in key.upper() for secret in SECRET_NAMES), (name, key)
    for value in all_strings(compose):
        assert not re.search(r"://[^/\s:@]+:[^@\s]+@", value), f"credentials in a URL: {value!r}"
    for key in ("SECRET_KEY", "DB_APP_PASSWORD"):
        assert env_example[key] not in text
    for key in ("POSTGRES_PASSWORD", "DB_OWNER_PASSWORD"):
        assert env_db_example[key] not in text


def test_postgres(services):
    postgres = services["postgres"]
    assert "pg_isready" in healthcheck_text(postgres)
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "ports" not in postgres, "the database is reachable from the compose network only"


def test_redis_keeps_queued_tasks_across_restarts(services):
    redis = services["redis"]
    command = command_of(redis)
    assert command[0] == "redis-server"
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"]), "the append-only file needs a volume"
    assert "redis-cli ping" in healthcheck_text(redis)
    assert "ports" not in redis


def test_named_volumes_are_declared(compose, services):
    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/", "$")):
                assert source in declared, source


def test_migrate_runs_once_before_the_application(services):
    migrate = services["migrate"]
    assert command_of(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_web(services):
    web = services["web"]
    command = command_of(web)
    assert command[0] == "gunicorn"
    assert command[command.index("--config") + 1] == "deploy/gunicorn.conf.py"
    assert command[-1] == "hemsjukvard.wsgi:application"
    assert any(str(port).endswith(":8000") for port in web["ports"])
    test = web["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "the slim image has python, not curl"
    assert "http://127.0.0.1:8000/readyz" in test[3], "a Redis restart must not take the web containers out"
    assert "ALLOWED_HOSTS" in test[3], "Django rejects a Host header it does not allow"
    compile(test[3], "healthcheck", "exec")
    assert "$" not in test[3], "Compose would try to interpolate it"


def queues_of(command: list[str]) -> list[str]:
    return next(arg.split("=", 1)[1] for arg in command if arg.startswith("--queues=")).split(",")


@pytest.mark.parametrize(
    ("name", "concurrency"),
    [
        ("worker", "${CELERY_WORKER_CONCURRENCY:-2}"),
        ("worker-documents", "${CELERY_DOCUMENTS_CONCURRENCY:-2}"),
        ("worker-webhooks", "${CELERY_WEBHOOKS_CONCURRENCY:-4}"),
        ("worker-notifications", "${CELERY_NOTIFICATIONS_CONCURRENCY:-2}"),
    ],
)
def test_worker(services, env_example, name, concurrency):
    worker = services[name]
    command = command_of(worker)
    assert command[:4] == ["celery", "-A", "hemsjukvard", "worker"]
    assert "--pool=prefork" in command
    assert f"--concurrency={concurrency}" in command
    assert command[command.index("--max-tasks-per-child") + 1] == "100"
    assert command[command.index("-O") + 1] == "fair"
    # The health check pings this worker by the name it gives itself.
    node = next(arg.split("=", 1)[1] for arg in command if arg.startswith("--hostname=")).split("@")[0]
    assert f"-d {node}@$$HOSTNAME" in healthcheck_text(worker)
    assert any(v.endswith(":/data/media") for v in worker["volumes"])
    # A warm shutdown lets running tasks finish: the grace period outlasts the hard time limit.
    assert seconds(worker["stop_grace_period"]) > int(env_example["CELERY_TASK_TIME_LIMIT"])


def test_each_queue_has_one_worker_of_its_own(services):
    """PDFs, webhooks, e-mail to people and the rest each have a worker: none waits behind another."""
    from django.conf import settings

    routed = {settings.CELERY_TASK_DEFAULT_QUEUE, *(r["queue"] for r in settings.CELERY_TASK_ROUTES.values())}
    assert routed == {"default", "documents", "notifications", "webhooks"}
    consumed = {name: queues_of(command_of(services[name])) for name in WORKERS}
    assert consumed == {
        "worker": ["default", "celery"],  # celery: the one queue before the split, drained after upgrades
        "worker-documents": ["documents"],
        "worker-notifications": ["notifications"],
        "worker-webhooks": ["webhooks"],
    }
    other_services = set(services) - set(WORKERS)
    assert not [name for name in other_services if "worker" in (services[name].get("command") or [])]


def test_beat_keeps_its_schedule_on_a_volume(services):
    beat = services["beat"]
    command = command_of(beat)
    assert command[:4] == ["celery", "-A", "hemsjukvard", "beat"]
    schedule = next(arg.split("=", 1)[1] for arg in command if arg.startswith("--schedule="))
    mounts = [volume.split(":")[1] for volume in beat["volumes"]]
    assert str(Path(schedule).parent) in mounts


def test_web_outlasts_gunicorns_graceful_timeout(services, env_example):
    assert seconds(services["web"]["stop_grace_period"]) > int(env_example["GUNICORN_GRACEFUL_TIMEOUT"])


# --- .env.example -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ENV_EXAMPLE, ENV_DB_EXAMPLE], ids=lambda p: p.name)
def test_env_example_explains_every_variable(path):
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert number > 0, line
            assert lines[number - 1].startswith("#"), f"no comment above {line!r}"


def test_env_example_production_values(env_example):
    assert env_example["HEMSJUKVARD_ENV"] == "production"
    for key in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "CELERY_BROKER_URL",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "DEFAULT_FROM_EMAIL",
        "POSTGRES_DB",
        "DB_APP_USER",
    ):
        assert env_example[key], key
    assert env_example["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert all(o.startswith("https://") for o in env_example["CSRF_TRUSTED_ORIGINS"].split(","))


def test_env_example_holds_placeholders_not_secrets(env_example, env_db_example):
    for key in ("SECRET_KEY", "DB_APP_PASSWORD"):
        assert "change-me" in env_example[key], key
    for key in ("POSTGRES_PASSWORD", "DB_OWNER_PASSWORD"):
        assert "change-me" in env_db_example[key], key
    # The settings refuse a SECRET_KEY shorter than 50 characters: the placeholder cannot go live.
    assert len(env_example["SECRET_KEY"]) < 50


def test_database_url_uses_the_postgres_service_and_password(env_example, env_db_example):
    """web, worker and beat connect as the application's role; migrate as the owner; no service as
    the superuser."""
    app = urlsplit(env_example["DATABASE_URL"])
    owner = urlsplit(env_db_example["DATABASE_URL"])
    for url in (app, owner):
        assert url.scheme in ("postgres", "postgresql")
        assert url.hostname == "postgres"
        assert url.path == "/" + env_example["POSTGRES_DB"]
    assert (app.username, app.password) == (env_example["DB_APP_USER"], env_example["DB_APP_PASSWORD"])
    assert (owner.username, owner.password) == (
        env_db_example["DB_OWNER_USER"],
        env_db_example["DB_OWNER_PASSWORD"],
    )
    assert len({app.username, owner.username, env_db_example["POSTGRES_USER"]}) == 3


def test_celery_time_limits_fit_inside_the_visibility_timeout(env_example):
    soft = int(env_example["CELERY_TASK_SOFT_TIME_LIMIT"])
    hard = int(env_example["CELERY_TASK_TIME_LIMIT"])
    visibility = int(env_example["CELERY_VISIBILITY_TIMEOUT"])
    assert 0 < soft < hard < visibility


def test_compose_variables_have_examples(env_example):
    # ``$${NAME}`` is the container's own variable, escaped from Compose.
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", COMPOSE_FILE.read_text()))
    assert used, "expected ${...} variables in docker-compose.yml"
    assert used <= set(env_example), used - set(env_example)


# --- Dockerfile -------------------------------------------------------------------------------


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            instructions.append(current.strip())
            current = ""
    return instructions


def test_dockerfile():
    text = DOCKERFILE.read_text()
    instructions = dockerfile_instructions()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in instructions
    assert [i for i in instructions if i.startswith("FROM ")] == [
        "FROM ${PYTHON_IMAGE} AS builder",
        "FROM ${PYTHON_IMAGE} AS runtime",
    ]
    assert re.search(r'pip install .*"uv==', text)
    assert "uv sync --locked --no-dev" in text
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in text, package
    users = [i.split()[1] for i in instructions if i.startswith("USER ")]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")


def test_dockerfile_bakes_in_no_secret():
    secret = re.compile(r"SECRET_KEY|PASSWORD|DATABASE_URL|EMAIL_HOST_USER")
    for instruction in dockerfile_instructions():
        keyword = instruction.split()[0]
        if keyword in ("ENV", "ARG", "LABEL"):
            assert not secret.search(instruction), instruction
        elif secret.search(instruction):
            # Only the build-time collectstatic, with throwaway values on its own command line.
            assert keyword == "RUN", instruction
            assert "manage.py collectstatic" in instruction, instruction
    assert not re.search(r"^COPY .*\.env\b", DOCKERFILE.read_text(), re.MULTILINE)


# --- deploy/gunicorn.conf.py ------------------------------------------------------------------

GUNICORN_VARIABLES = (
    "GUNICORN_BIND",
    "GUNICORN_PRELOAD",
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_PROXY_PROTOCOL",
    "PROXY_ALLOW_IPS",
    "GUNICORN_CONTROL_SOCKET",
    "LOG_LEVEL",
)


def load_gunicorn_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(GUNICORN_CONF))
    return {k: v for k, v in namespace.items() if not k.startswith("_")}


def test_gunicorn_defaults(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    cores = conf["available_cores"]()
    assert conf["workers"] == min(2 * cores + 1, conf["MAX_DEFAULT_WORKERS"])
    assert conf["threads"] == 2
    assert conf["worker_class"] == "gthread"
    assert conf["preload_app"] is True, "workers start warm: the app is loaded before the fork"
    assert load_gunicorn_conf(monkeypatch, GUNICORN_PRELOAD="false")["preload_app"] is False
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert conf["accesslog"] == "-"
    assert conf["errorlog"] == "-"
    assert conf["max_requests"] > 0
    assert conf["max_requests_jitter"] > 0
    assert conf["graceful_timeout"] <= conf["timeout"]
    # Query strings and referrers carry personnummer searches: not in the access log.
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s"):
        assert atom not in conf["access_log_format"]


def test_gunicorn_reads_the_environment(monkeypatch):
    conf = load_gunicorn_conf(
        monkeypatch,
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="1",
        GUNICORN_TIMEOUT="90",
        FORWARDED_ALLOW_IPS="10.0.0.5,172.16.0.0/12",
        LOG_LEVEL="WARNING",
    )
    assert conf["workers"] == 3
    assert conf["worker_class"] == "sync"
    assert conf["timeout"] == 90
    assert conf["forwarded_allow_ips"] == "10.0.0.5,172.16.0.0/12"
    assert conf["loglevel"] == "warning"


def test_gunicorn_empty_variable_means_default(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, GUNICORN_WORKERS="")
    assert conf["workers"] >= 1


def test_gunicorn_rejects_nonsense(monkeypatch):
    with pytest.raises(ValueError, match="GUNICORN_WORKERS"):
        load_gunicorn_conf(monkeypatch, GUNICORN_WORKERS="many")
    with pytest.raises(ValueError, match="GUNICORN_THREADS"):
        load_gunicorn_conf(monkeypatch, GUNICORN_THREADS="0")


def test_gunicorn_control_socket_is_the_instances_own(monkeypatch, tmp_path):
    """Two instances on one host (each bound elsewhere) never share gunicornc's control socket."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    first = load_gunicorn_conf(monkeypatch, GUNICORN_BIND="127.0.0.1:8001")["control_socket"]
    second = load_gunicorn_conf(monkeypatch, GUNICORN_BIND="127.0.0.1:8002")["control_socket"]
    assert first != second
    assert first == str(tmp_path / "gunicorn-127.0.0.1_8001.ctl")
    default = load_gunicorn_conf(monkeypatch)["control_socket"]
    assert default == str(tmp_path / "gunicorn-0.0.0.0_8000.ctl")
    long_unix = load_gunicorn_conf(monkeypatch, GUNICORN_BIND="unix:/run/hemsjukvard/" + "x" * 80 + ".sock")
    assert len(long_unix["control_socket"].encode()) < 108
    chosen = load_gunicorn_conf(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/hsv/web.ctl")["control_socket"]
    assert chosen == "/run/hsv/web.ctl"


def test_gunicorn_accepts_every_setting(monkeypatch):
    """Gunicorn ignores unknown names in a config file; here a misspelt one fails instead."""
    config = pytest.importorskip("gunicorn.config")
    conf = load_gunicorn_conf(monkeypatch, GUNICORN_PROXY_PROTOCOL="auto")
    cfg = config.Config()
    helpers = {"annotations", "hashlib", "math", "os", "re", "Path", "available_cores", "MAX_DEFAULT_WORKERS"}
    for name, value in conf.items():
        if name in helpers:
            continue
        assert name in cfg.settings, f"{name} is not a gunicorn setting"
        cfg.set(name, value)  # runs gunicorn's own validation
    assert cfg.worker_class_str == "gthread"
