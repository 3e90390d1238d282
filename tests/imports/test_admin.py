"""Admin: API keys shown once and stored hashed; import processes with progress and error report."""

from __future__ import annotations

import re

from accounts import tokens
from imports import models


class TestImportApiKeyAdmin:
    def test_shows_a_new_key_once_and_stores_only_its_hash(self, staff_client, supplier):
        response = staff_client.post(
            "/admin/imports/importapikey/add/", {"supplier": supplier.pk, "name": "cutover"}, follow=True
        )

        message = next(str(m) for m in response.context["messages"])
        raw_key = re.search(r": (\S+) — copy it now", message).group(1)
        key = models.ImportApiKey.objects.get(name="cutover")
        assert key.key_hash == tokens.hash_secret(raw_key)
        assert (
            raw_key not in staff_client.get(f"/admin/imports/importapikey/{key.pk}/change/").content.decode()
        )


class TestImportProcessAdmin:
    def batch(self, supplier):
        return models.ImportProcess.objects.create(
            supplier=supplier,
            total_count=3,
            processed_count=1,
            failed_count=1,
            status="IN_PROGRESS",
            errors=[
                {
                    "external_account_number": "EXT-9",
                    "code": "invalid_phone_number",
                    "detail": "mobile",
                    "domain": "import_process",
                }
            ],
        )

    def test_lists_progress_with_filters(self, staff_client, supplier, django_assert_max_num_queries):
        self.batch(supplier)

        with django_assert_max_num_queries(12):
            response = staff_client.get("/admin/imports/importprocess/", {"status__exact": "IN_PROGRESS"})

        assert response.status_code == 200
        assert "2/3 (66 %)" in response.content.decode()

    def test_drills_down_into_errors_and_downloads_them(self, staff_client, supplier):
        batch = self.batch(supplier)

        page = staff_client.get(f"/admin/imports/importprocess/{batch.pk}/change/").content.decode()
        report = staff_client.get(f"/admin/imports/importprocess/{batch.pk}/errors.csv")

        assert "invalid_phone_number" in page and "Download 1 error(s) as CSV" in page
        assert report["Content-Type"] == "text/csv"
        assert report.content.decode().splitlines() == [
            "external_account_number,code,detail,domain",
            "EXT-9,invalid_phone_number,mobile,import_process",
        ]

    def test_filters_account_imports_by_status(self, staff_client, supplier):
        models.AccountImportProcess.objects.create(
            supplier=supplier,
            external_account_number="E-1",
            payload={},
            status="ERRORED",
            latest_error={"code": "x"},
        )

        response = staff_client.get("/admin/imports/accountimportprocess/", {"status__exact": "ERRORED"})

        assert "E-1" in response.content.decode()
