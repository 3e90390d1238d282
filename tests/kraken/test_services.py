"""Service discovery: environment URLs first, then localhost, then embedded servers."""

import psycopg
import pytest
import redis

from kraken import services


class TestResolve:
    def test_prefers_urls_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example:5432/kraken")
        monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/2")

        urls = services.resolve(start_embedded=False)

        assert (urls.database_url, urls.redis_url) == (
            "postgres://someone@db.example:5432/kraken",
            "redis://cache.example:6379/2",
        )
        assert (urls.database_origin, urls.redis_origin) == ("environment", "environment")

    def test_uses_localhost_servers_when_they_answer(self, monkeypatch):
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.delenv("REDIS_URL", raising=False)

        urls = services.resolve(start_embedded=False)

        assert urls.database_origin == "localhost"
        assert urls.redis_origin == "localhost"

    def test_refuses_to_guess_when_nothing_answers_and_embedding_is_off(self, monkeypatch):
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("KRAKEN_PROBE_POSTGRES", "127.0.0.1:1")

        with pytest.raises(services.ServiceUnavailable):
            services.resolve(start_embedded=False)

    def test_starts_working_embedded_servers_when_nothing_answers(self, monkeypatch, tmp_path):
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.delenv("REDIS_URL", raising=False)
        monkeypatch.setenv("KRAKEN_PROBE_POSTGRES", "127.0.0.1:1")
        monkeypatch.setenv("KRAKEN_PROBE_REDIS", "127.0.0.1:1")
        monkeypatch.setattr(services, "LOCAL_DIR", tmp_path)

        try:
            urls = services.resolve()

            assert (urls.database_origin, urls.redis_origin) == ("embedded", "embedded")
            assert services.ensure_database_exists(urls.database_url) is True
            config = services.database_settings(urls.database_url)
            with psycopg.connect(
                dbname=config["NAME"], user=config["USER"], host=config["HOST"], port=config["PORT"]
            ) as connection:
                assert connection.execute("SELECT 1").fetchone() == (1,)
            assert redis.Redis.from_url(urls.redis_url).ping()
            assert services.celery_broker_url(urls.redis_url).startswith("redis+socket://")
        finally:
            services.stop_embedded()
