"""Concurrent duplicate posts on PostgreSQL, with real threads and connections: exactly one account."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts import models as account_models
from imports import models
from tests.imports import payloads

THREADS = 6


def in_parallel(call):
    barrier = threading.Barrier(THREADS)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
class TestConcurrentDuplicates:
    def client(self, api_key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key[1]}")
        return client

    def test_processing_one_account_from_many_requests_creates_exactly_one(self, api, api_key):
        api.post(
            "/v1/data-import/account-import-process/create-or-update/", payloads.gb_account(), format="json"
        )
        body = {
            "import_supplier_code": "EDF",
            "external_account_number": "EXT-0001",
            "operations_team_name": "Migration",
        }

        responses = in_parallel(
            lambda: self.client(api_key).post(
                "/v1/data-import/account-import-process/process/", body, format="json"
            )
        )

        statuses = sorted(r.status_code for r in responses)
        created = [r.json() for r in responses if r.status_code == 201]
        assert statuses == [201] + [400] * (THREADS - 1)
        assert account_models.Account.objects.count() == 1
        assert {r.json()["kraken_account_number"] for r in responses} == {created[0]["kraken_account_number"]}

    def test_staging_one_account_from_many_requests_keeps_one_process(self, api_key):
        responses = in_parallel(
            lambda: self.client(api_key).post(
                "/v1/data-import/account-import-process/create-or-update/",
                payloads.gb_account(),
                format="json",
            )
        )

        assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201]
        assert models.AccountImportProcess.objects.count() == 1


@pytest.mark.django_db(transaction=True)
class TestImportCommandWithWorkers:
    def test_imports_each_account_once_across_threads(self, supplier, tmp_path):
        import io
        import json

        from django.core.management import call_command

        path = tmp_path / "accounts.jsonl"
        path.write_text("".join(json.dumps(payloads.numbered(i)) + "\n" for i in range(12)))
        out = io.StringIO()

        call_command("import_accounts", str(path), "--workers", "3", stdout=out, stderr=io.StringIO())

        assert "12 imported, 0 skipped, 0 failed" in out.getvalue()
        assert account_models.Account.objects.count() == 12


@pytest.mark.django_db(transaction=True)
class TestConcurrentChunks:
    def test_two_importers_of_the_same_file_create_each_account_once(self, supplier):
        from django.utils import timezone

        from imports import operations, queries

        batch = [payloads.numbered(i) for i in range(10)]
        catalogue = queries.build_catalogue()

        outcomes = in_parallel(
            lambda: operations.import_accounts(
                supplier=supplier, payloads=batch, now=timezone.now(), catalogue=catalogue
            )
        )

        statuses = sorted(o.status for result in outcomes for o in result)
        assert statuses.count("IMPORTED") == 10
        assert statuses.count("SKIPPED") == 10 * (THREADS - 1)
        assert account_models.Account.objects.count() == 10
