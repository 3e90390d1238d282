"""docker-compose.yml brings up the stack `make run` does. `docker compose config` needs the compose
plugin, which these machines lack; this checks what it would, and what it cannot: that the services
consume every queue the settings route to and start after the database is migrated."""

import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

COMPOSE = settings.BASE_DIR / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_has_the_production_like_stack(compose):
    assert set(compose["services"]) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("migrate", "web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert (
            environment["DATABASE_URL"].startswith("postgres://")
            and "@postgres:" in environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"].startswith("redis://redis:")


def test_every_dependency_is_a_service_and_the_app_waits_for_migrations(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert set(services["migrate"]["depends_on"]) == {"postgres", "redis"}


def test_the_worker_consumes_every_queue_tasks_are_routed_to(compose):
    command = compose["services"]["worker"]["command"]
    queues = set(command[command.index("-Q") + 1].split(","))
    # The stack runs without KRAKEN_INSTANCE: the settings' queue names without a test run's suffix.
    unsuffixed = {queue.removesuffix(f".{settings.INSTANCE}") for queue in settings.ALL_QUEUES}
    assert queues == unsuffixed


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="the docker compose plugin is not installed",
)
def test_docker_compose_accepts_it():
    subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"], check=True)
