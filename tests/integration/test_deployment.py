"""docker-compose.yml and the Dockerfile hold what the deployment guide promises.

`docker compose config` (or the standalone `docker-compose config`) validates the file where a
compose CLI exists; the structural checks below run everywhere with PyYAML, and say which
validator ran.
"""

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet

from fincoach.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
# Every secret the deployment needs; compose must refuse to start without each one.
SECRETS = (
    "SECRET_KEY",
    "TOKEN_ENCRYPTION_KEYS",
    "POSTGRES_PASSWORD",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "METRICS_TOKEN",
)


def real_secrets() -> dict[str, str]:
    """What the README tells an operator to put in `.env`."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "GOOGLE_CLIENT_ID": "1234-abc.apps.googleusercontent.com",
        "GOOGLE_CLIENT_SECRET": secrets.token_urlsafe(24),
        "METRICS_TOKEN": secrets.token_urlsafe(32),
    }


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if (
        standalone
        and subprocess.run([standalone, "version"], capture_output=True, check=False).returncode
        == 0
    ):
        return [standalone]
    return None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def test_compose_cli_accepts_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        # No compose CLI on this machine: the structural checks in this module are the
        # validation (yaml.safe_load must still parse the file).
        with capsys.disabled():
            print("\nno docker compose CLI here: docker-compose.yml validated with PyYAML only")
        assert isinstance(yaml.safe_load(COMPOSE.read_text()), dict)
        return
    result = _config(cli, real_secrets(), tmp_path, "-q")
    assert result.returncode == 0, result.stderr
    scaled = _config(cli, real_secrets(), tmp_path, "--services")
    assert {"api", "celery_worker", "beat", "migrate", "postgres", "redis"} <= set(
        scaled.stdout.split()
    )


def _config(
    cli: list[str], env: dict[str, str], tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """`compose config` with exactly `env` for the secrets (no `.env` file is read)."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "ENVIRONMENT"}
    return subprocess.run(
        [*cli, "--env-file", str(empty), "-f", str(COMPOSE), "config", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**clean, **env},
    )


def test_compose_refuses_to_start_without_each_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = _compose_cli()
    if cli is None:
        with capsys.disabled():
            print("\nno docker compose CLI here: required secrets checked with PyYAML only")
        test_every_secret_is_required_by_the_file_itself(yaml.safe_load(COMPOSE.read_text()))
        return
    nothing = _config(cli, {}, tmp_path, "-q")
    assert nothing.returncode != 0
    assert "Missing mandatory value" in nothing.stderr, nothing.stderr  # names the first
    for missing in SECRETS:
        given = {k: v for k, v in real_secrets().items() if k != missing}
        refused = _config(cli, given, tmp_path, "-q")
        assert refused.returncode != 0, missing
        assert missing in refused.stderr, (missing, refused.stderr)
        empty = _config(cli, {**given, missing: ""}, tmp_path, "-q")  # set but empty: refused too
        assert empty.returncode != 0, missing


def _resolved(given: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """The compose file with `given` filled in, as `compose config` prints it."""
    cli = _compose_cli()
    if cli is None:
        # Without a compose CLI, interpolate the one form the file uses, ${NAME:?...}/${NAME:-x}.
        text = re.sub(
            r"\$\{(\w+):[?-]([^}]*)\}",
            lambda m: given.get(m.group(1), m.group(2) if ":-" in m.group(0) else ""),
            COMPOSE.read_text(),
        )
        interpolated: dict[str, Any] = yaml.safe_load(text)
        return interpolated
    done = _config(cli, given, tmp_path)
    assert done.returncode == 0, done.stderr
    resolved: dict[str, Any] = yaml.safe_load(done.stdout)
    return resolved


def test_the_readme_recipe_for_dot_env_makes_a_deployment_that_starts(tmp_path: Path) -> None:
    """The README's `cat > .env <<EOF ... EOF`, run as written, satisfies compose and settings."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("**With Docker**", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    recipe = block.split("\nEOF\n", 1)[0] + "\nEOF\n"
    assert recipe.startswith("cat > .env <<EOF")
    subprocess.run(["bash", "-euc", recipe], cwd=tmp_path, check=True)
    lines = (tmp_path / ".env").read_text().splitlines()
    given = dict(line.split("=", 1) for line in lines if line)
    assert set(SECRETS) <= set(given), "the recipe must set every required secret"
    _check_production(_resolved(given, tmp_path), given)


def test_compose_with_real_secrets_runs_production_settings_that_start(tmp_path: Path) -> None:
    given = real_secrets()
    _check_production(_resolved(given, tmp_path), given)


def _check_production(resolved: dict[str, Any], given: dict[str, str]) -> None:
    for name in ("api", "celery_worker", "beat", "migrate"):
        environment = resolved["services"][name]["environment"].items()
        env = {str(k): "" if v is None else str(v) for k, v in environment}
        assert env["ENVIRONMENT"] == "production", name
        assert env["SECRET_KEY"] == given["SECRET_KEY"]
        assert given["POSTGRES_PASSWORD"] in env["DATABASE_URL"]
        # The settings the containers would build: production, and the keys pass its checks.
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})  # type: ignore[arg-type]
        assert settings.environment == "production"
    postgres_env = resolved["services"]["postgres"]["environment"]
    assert postgres_env["POSTGRES_PASSWORD"] == given["POSTGRES_PASSWORD"]


def test_every_secret_is_required_by_the_file_itself(compose: dict[str, Any]) -> None:
    env = compose["x-fincoach-env"]
    for name in SECRETS:
        if name == "POSTGRES_PASSWORD":
            value = compose["services"]["postgres"]["environment"][name]
            assert str(value).startswith("${POSTGRES_PASSWORD:?"), value
            assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
            continue
        assert str(env[name]).startswith(f"${{{name}:?"), (name, env[name])
    assert env["ENVIRONMENT"] == "${ENVIRONMENT:-production}"


def test_ports_are_the_documented_ones(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["api"]["ports"] == ["8000:8000"]
    assert services["postgres"]["ports"] == ["5434:5432"]
    assert services["redis"]["ports"] == ["6379:6379"]


def test_workers_can_be_scaled(compose: dict[str, Any]) -> None:
    worker = compose["services"]["celery_worker"]
    assert "container_name" not in worker and "ports" not in worker
    command = worker["command"]
    assert command[:2] == ["fincoach", "worker"]
    assert command[command.index("--concurrency") + 1] == "4"


def test_migrations_run_before_the_api_and_the_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    for name in ("api", "celery_worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name in ("api", "postgres", "redis", "celery_worker"):
        assert compose["services"][name]["healthcheck"]["test"], name


def test_services_get_the_settings_env_vars(compose: dict[str, Any]) -> None:
    for name in ("api", "celery_worker", "beat", "migrate"):
        env = compose["services"][name]["environment"]
        for var in (
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "EMAIL_FETCH_DAYS",
            "SYNC_INTERVAL_MINUTES",
        ):
            assert var in env, (name, var)
    assert "noeviction" in compose["services"]["redis"]["command"]


def test_dockerfile_serves_the_api_on_8000() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "EXPOSE 8000" in dockerfile
    assert '"fincoach", "api", "--host", "0.0.0.0", "--port", "8000"' in dockerfile
    assert "HEALTHCHECK" in dockerfile
