"""Benchmarks run in a database of their own, dropped and re-created each run, never the dev data."""

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections


def use_bench_database(name: str) -> None:
    """Drop and re-create database `name` on the configured server, point Django at it, migrate it."""
    database = settings.DATABASES["default"]
    connections.close_all()
    with psycopg.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    database["NAME"] = name
    connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)
