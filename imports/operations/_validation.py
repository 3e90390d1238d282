"""Validating request documents for a supplier, and refusing accounts imported (or skipped) already."""

from __future__ import annotations

from datetime import datetime

from imports import catalogue as catalogue_module
from imports import error_codes, models, queries, validation
from imports.operations._base import ImportError_
from imports.rules import base

ALREADY_IMPORTED = "The account import process with the account number {} has already been imported."


class ValidationFailed(ImportError_):
    """The document failed schema or rule validation; `failures` has every one."""

    code = error_codes.IMPORT_PROCESS_FAILED_VALIDATION

    def __init__(self, failures: list[base.Failure]):
        super().__init__(f"{len(failures)} validation failure(s)")
        self.failures = failures


class AlreadyImported(ImportError_):
    """The (supplier, external account number) has an account already; `account_number` is it."""

    code = error_codes.ACCOUNT_IMPORT_PROCESS_ALREADY_IMPORTED

    def __init__(self, *, external_account_number: str, account_number: str):
        super().__init__(ALREADY_IMPORTED.format(external_account_number))
        self.external_account_number = external_account_number
        self.account_number = account_number


class ImportSkipped(ImportError_):
    """The account's import process is marked to be skipped (CANCELLED)."""

    code = error_codes.IMPORT_PROCESS_SKIPPED


def validate_document(
    *,
    supplier: models.ImportSupplier,
    document: str,
    data,
    now: datetime,
    catalogue: catalogue_module.Catalogue | None = None,
    variant: str = "v1",
    lookup: dict | None = None,
):
    """Validate `data` as `document` once: the JSON schema, then every applicable rule. Returns the
    normalised document. Without `catalogue`, builds it (three queries).

    Raises ValidationFailed with every failure.
    """
    normalised, failures = validation.validate(
        data,
        document=document,
        supplier=queries.supplier_config(supplier=supplier),
        now=now,
        catalogue=catalogue or queries.build_catalogue(),
        variant=variant,
        lookup=lookup,
    )
    if failures:
        raise ValidationFailed(failures)
    return normalised


def unknown_tariff(tariff_code) -> ValidationFailed:
    """The refusal of an agreement whose tariff the catalogue does not hold (or holds without a row)."""
    return ValidationFailed(
        [
            base.Failure(
                base.NON_FIELD_ERRORS,
                error_codes.TARIFF_CODE_NOT_FOUND,
                f"{tariff_code} cannot be imported",
                "create",
                0,
            )
        ]
    )


def ensure_not_imported(*, supplier: models.ImportSupplier, external_account_number: str) -> None:
    """Raises AlreadyImported, ImportSkipped."""
    existing = (
        models.AccountImportProcess.objects.filter(
            supplier=supplier, external_account_number=external_account_number
        )
        .select_related("account")
        .only("status", "account__number")
        .first()
    )
    if existing is None:
        return
    if existing.account_id:
        raise AlreadyImported(
            external_account_number=external_account_number, account_number=existing.account.number
        )
    if existing.status == models.ImportProcessStatus.CANCELLED:
        raise ImportSkipped(f"{external_account_number} is marked to be skipped")


def check_account(
    *,
    supplier: models.ImportSupplier,
    payload: dict,
    now: datetime,
    variant: str = "v1",
    catalogue: catalogue_module.Catalogue | None = None,
) -> dict:
    """Validate an account payload for this supplier, after refusing one imported or skipped already.
    Returns the normalised payload.

    Raises AlreadyImported, ImportSkipped, ValidationFailed.
    """
    if isinstance(payload, dict) and isinstance(payload.get("external_account_number"), str):
        ensure_not_imported(supplier=supplier, external_account_number=payload["external_account_number"])
    return validate_document(
        supplier=supplier, document=base.ACCOUNT, data=payload, now=now, variant=variant, catalogue=catalogue
    )
