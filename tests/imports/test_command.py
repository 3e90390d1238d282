"""`manage.py import_accounts`: same rules and operations as the API, resumable, with a report."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from accounts import models as account_models
from imports import models
from tests.imports import payloads


def write_file(tmp_path, lines):
    path = tmp_path / "accounts.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_accounts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TestImportAccounts:
    def test_imports_every_valid_line_and_reports_the_rest(self, supplier, tmp_path):
        bad = payloads.numbered(3)
        bad["customers"][0]["mobile"] = "12"
        path = write_file(tmp_path, [payloads.numbered(1), payloads.numbered(2), bad])

        out, err = run(path)

        report = [
            json.loads(line) for line in (tmp_path / "accounts.jsonl.errors.jsonl").read_text().splitlines()
        ]
        assert "2 imported, 0 skipped, 1 failed" in out
        assert "3/3" in err and "accounts/s" in err and "ETA" in err
        assert account_models.Account.objects.count() == 2
        assert report == [
            {
                "line": 3,
                "external_account_number": "EXT-0000003",
                "errors": [
                    {
                        "attr": "customers.0.mobile",
                        "code": "invalid_phone_number",
                        "detail": report[0]["errors"][0]["detail"],
                    }
                ],
            }
        ]
        assert (
            models.AccountImportProcess.objects.get(external_account_number="EXT-0000003").status == "ERRORED"
        )

    def test_skips_accounts_imported_by_an_earlier_run(self, supplier, tmp_path):
        run(write_file(tmp_path, [payloads.numbered(1)]))

        out, _ = run(write_file(tmp_path, [payloads.numbered(1), payloads.numbered(2)]))

        assert "1 imported, 1 skipped, 0 failed" in out
        assert account_models.Account.objects.count() == 2

    def test_writes_nothing_in_a_dry_run(self, supplier, tmp_path):
        out, _ = run(write_file(tmp_path, [payloads.numbered(1)]), "--dry-run")

        assert "1 imported" in out
        assert not account_models.Account.objects.exists()

    def test_overrides_the_supplier_of_each_line(self, supplier, tmp_path):
        out, _ = run(write_file(tmp_path, [payloads.numbered(1, supplier="ELSEWHERE")]), "--supplier", "EDF")

        assert "1 imported" in out

    def test_keeps_the_good_accounts_of_a_chunk_the_database_refuses(self, supplier, tmp_path):
        clash = payloads.numbered(2)
        clash["payment_instructions"][0]["reference"] = payloads.numbered(1)["payment_instructions"][0][
            "reference"
        ]
        path = write_file(tmp_path, [payloads.numbered(1), clash, payloads.numbered(3)])

        out, _ = run(path)

        report = json.loads((tmp_path / "accounts.jsonl.errors.jsonl").read_text())
        assert "2 imported, 0 skipped, 1 failed" in out
        assert report["external_account_number"] == "EXT-0000002"
        assert report["errors"][0]["code"] == "account_creation_failed"
        assert set(
            models.AccountImportProcess.objects.filter(account__isnull=False).values_list(
                "external_account_number", flat=True
            )
        ) == {"EXT-0000001", "EXT-0000003"}


@pytest.mark.django_db(transaction=True)
class TestWorkerProcesses:
    """--workers N: processes forked from the command, each with its own database connection."""

    def test_import_every_valid_line_report_the_rest_and_resume(self, supplier, tmp_path):
        bad = payloads.numbered(5)
        bad["customers"][0]["mobile"] = "12"
        path = write_file(tmp_path, [*(payloads.numbered(n) for n in range(1, 5)), bad, payloads.numbered(6)])

        out, _ = run(path, "--workers", "2", "--chunk-size", "2")

        assert "5 imported, 0 skipped, 1 failed" in out
        assert account_models.Account.objects.count() == 5
        [entry] = [
            json.loads(line) for line in (tmp_path / "accounts.jsonl.errors.jsonl").read_text().splitlines()
        ]
        assert (entry["line"], entry["external_account_number"]) == (5, "EXT-0000005")
        assert [error["code"] for error in entry["errors"]] == ["invalid_phone_number"]

        out, _ = run(path, "--workers", "2", "--chunk-size", "2")

        assert "0 imported, 5 skipped, 1 failed" in out
        assert account_models.Account.objects.count() == 5
