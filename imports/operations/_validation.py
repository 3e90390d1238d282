"""Validating request documents for a supplier (what no column can hold first, then the schema, the
rules and the columns' ranges), what the rules about other accounts' identifiers read from the
database, and refusing accounts imported (or skipped) already."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from accounts import queries as accounts_queries
from imports import catalogue as catalogue_module
from imports import error_codes, models, queries, validation
from imports.operations import _columns
from imports.operations._base import ImportError_
from imports.rules import base
from metering import queries as metering_queries

# The `RuleContext.lookup` keys `existing_lookup` fills.
EXISTING = "existing"

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


def check_storable(*, document, path: tuple = ()) -> None:
    """Refuse a request holding anything no column can hold (NUL, lone surrogates, control
    characters, numbers beyond any column, deep nesting), before anything reads the database with it.

    Raises ValidationFailed with each such value at its attr.
    """
    if failures := validation.storage_failures(document, path=path):
        raise ValidationFailed(failures)


def validate_document(
    *,
    supplier: models.ImportSupplier,
    document: str,
    data,
    now: datetime,
    catalogue: catalogue_module.Catalogue | None = None,
    variant: str = "v1",
    lookup: dict | None = None,
    storable: bool = False,
):
    """Validate `data` as `document` once: what no column can hold (unless `storable`: the caller
    has checked it), the JSON schema, every applicable rule, then each stored number against its
    column's range. An account's rules about identifiers other accounts hold read them first
    (`existing_lookup`, unless `lookup` has them). Returns the normalised document. Without
    `catalogue`, builds it (three queries).

    Raises ValidationFailed with every failure.
    """
    if not storable:
        check_storable(document=data)
    lookup = dict(lookup or {})
    if document == base.ACCOUNT and EXISTING not in lookup:
        lookup.update(existing_lookup(supplier=supplier, payloads=[data]))
    normalised, failures = validation.validate(
        data,
        document=document,
        supplier=queries.supplier_config(supplier=supplier),
        now=now,
        catalogue=catalogue or queries.build_catalogue(),
        variant=variant,
        lookup=lookup,
        storable=True,
    )
    failures += _columns.column_failures(data, document=document, territory=supplier.territory)
    if failures:
        raise ValidationFailed(failures)
    return normalised


class LookupKeys(NamedTuple):
    """What `existing_lookup` asks the database about, for some account payloads."""

    identifiers: frozenset[str]
    instructions: frozenset[tuple[str, str]]
    references: frozenset[tuple[str, str]]
    cais: frozenset[str]
    emails: frozenset[str]

    def overlaps(self, other: LookupKeys) -> bool:
        return any(mine & theirs for mine, theirs in zip(self, other, strict=True))


def lookup_keys(payloads: Iterable) -> LookupKeys:
    """The identifiers, payment instructions, account references, CAIS references and customer
    emails (lower case) of these account payloads. Raises nothing."""
    identifiers, instructions, references, cais, emails = set(), set(), set(), set(), set()
    for payload in payloads:
        if not isinstance(payload, dict):
            continue
        for customer in base.items(payload, "customers"):
            if isinstance(customer, dict) and isinstance(customer.get("email"), str):
                emails.add(customer["email"].lower())
        for address in base.items(payload, "supply_addresses"):
            for point in base.items(address, "meter_points"):
                if isinstance(point, dict) and isinstance(point.get("identifier"), str):
                    identifiers.add(point["identifier"])
        for instruction in base.items(payload, "payment_instructions"):
            pair = _payment_reference(instruction)
            if pair is not None:
                instructions.add(pair)
        for reference in base.items(payload, "references"):
            if isinstance(reference, dict):
                pair = (reference.get("namespace"), reference.get("value"))
                if all(isinstance(part, str) for part in pair):
                    references.add(pair)
        for debt in [payload.get("debt"), *base.items(payload, "debts")]:
            if isinstance(debt, dict) and isinstance(debt.get("cais_reference"), str):
                cais.add(debt["cais_reference"])
    return LookupKeys(*map(frozenset, (identifiers, instructions, references, cais, emails)))


def existing_lookup(
    *, supplier: models.ImportSupplier, payloads: Iterable, keys: LookupKeys | None = None
) -> dict:
    """What Kraken holds already of the identifiers in these account payloads, for the rules that
    refuse another account's identifiers (`RuleContext.lookup`): meter point identifiers in the
    supplier's market, payment instruction (vendor, reference) pairs, account references and CAIS
    references of imported accounts, and the roles the customers' users hold. One query per kind
    the payloads carry (`keys`: their `lookup_keys`, if the caller has them); storable payloads
    only. Raises nothing."""
    keys = keys if keys is not None else lookup_keys(payloads)
    return {
        EXISTING: True,
        "taken_identifiers": frozenset(
            metering_queries.taken_meter_point_identifiers(
                market=_columns.market_of(supplier.territory), identifiers=keys.identifiers
            )
        ),
        "taken_payment_references": frozenset(
            accounts_queries.taken_payment_references(references=keys.instructions)
        ),
        "existing_references": frozenset(queries.imported_account_references(references=keys.references)),
        "existing_cais_references": frozenset(queries.imported_cais_references(references=keys.cais)),
        "held_roles": accounts_queries.roles_held_by_emails(emails=keys.emails),
    }


def _payment_reference(instruction) -> tuple[str, str] | None:
    """(vendor, reference) of a payment instruction as its payment method stores them, or None."""
    if not isinstance(instruction, dict):
        return None
    vendor, reference = instruction.get("vendor"), instruction.get("reference")
    if not (isinstance(vendor, str) and isinstance(reference, str) and reference):
        return None
    return vendor[:64], reference[:255]


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
    check_storable(document=payload)
    if isinstance(payload, dict) and isinstance(payload.get("external_account_number"), str):
        ensure_not_imported(supplier=supplier, external_account_number=payload["external_account_number"])
    return validate_document(
        supplier=supplier, document=base.ACCOUNT, data=payload, now=now, variant=variant, catalogue=catalogue
    )
