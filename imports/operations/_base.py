"""What the import operations share: the base of their exceptions, the dry-run rollback, and the
events and errors an account import process row records."""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError
from psycopg import errors as psycopg_errors

from imports import error_codes
from imports.rules import base

EVENT_CREATED = "EVENT_ACCOUNT_IMPORT_PROCESS_CREATED"
EVENT_PROCESSED = "EVENT_ACCOUNT_IMPORT_PROCESS_PROCESSED"
EVENT_ERRORED = "EVENT_ACCOUNT_IMPORT_PROCESS_ERRORED"
DRY_RUN_DETAIL = "Account would successfully import. Rolled back due to Dry Run."


class ImportError_(Exception):
    """An anticipated refusal of an import operation; `code` is its exact error code."""

    code = "import_error"


class RollBack(Exception):
    """Raised inside a dry run's transaction to undo everything it wrote."""


def event(name: str, now: datetime, data: dict | None = None) -> dict:
    """A process row's `latest_event`."""
    return {"event": name, "occurred_at": now.isoformat(), "data": data or {}}


def error_of(failure: base.Failure) -> dict:
    """A process row's `latest_error` for a validation failure (the first one is recorded)."""
    return {"code": failure.code, "detail": f"{failure.attr}: {failure.detail}", "domain": "import_process"}


class WriteRefused(ImportError_):
    """The database refused to write the account (a constraint, or a value its column cannot hold),
    reported with the code of the rule that stands for the constraint, never the database's text."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail

    def as_error(self) -> dict:
        """The refusal as a process row's `latest_error`."""
        return {"code": self.code, "detail": self.detail, "domain": "import_process"}


# The constraints an account write can break, and the rule code (or the project code where the spec
# has none) each stands for. The rules check the same before anything is written; these catch what
# changed between validating and writing (a concurrent import, a row added meanwhile).
CONSTRAINT_REFUSALS = {
    "unique_market_identifier": (
        error_codes.MPXN_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT,
        "A meter point with this identifier belongs to another account.",
    ),
    "unique_vendor_reference": (
        error_codes.PAYMENT_INSTRUCTION_REFERENCE_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT,
        "This payment instruction reference belongs to another account.",
    ),
    "unique_meter_serial": (
        "multiple_non_dmex_meters_with_serial_number",
        "Two meters of one meter point share a serial number.",
    ),
    "unique_register_on_meter": (
        "meter_with_duplicate_register_ids",
        "A meter has two registers with one id.",
    ),
    "no_overlapping_agreements_per_meter_point": (
        "gaps_or_overlaps_in_agreement_dates",
        "Two agreements of one meter point overlap.",
    ),
    "agreement_ends_after_start": ("start_date_later_than_end_date", "An agreement ends before it starts."),
    "meter_point_supply_ends_after_start": (
        "start_date_later_than_end_date",
        "A meter point's supply ends before it starts.",
    ),
    "property_occupancy_ends_after_start": (
        "start_date_later_than_end_date",
        "The customer leaves a supply address before arriving.",
    ),
    "meter_installation_ends_after_start": (
        "start_date_later_than_end_date",
        "A meter is removed before it was installed.",
    ),
    "gb_mpan_has_13_digits": ("invalid_supply_point_identifier", "An MPAN has 13 digits."),
    "gb_mprn_has_6_to_10_digits": ("invalid_supply_point_identifier", "An MPRN has 6 to 10 digits."),
    "au_nmi_has_10_characters": ("invalid_supply_point_identifier", "An NMI has 10 characters."),
}


def refusal_of(exc: DatabaseError) -> WriteRefused:
    """The refusal a database error writing an account stands for: the rule code of the constraint
    it names, else `account_creation_failed` with a fixed message (never the database's text)."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    if constraint in CONSTRAINT_REFUSALS:
        return WriteRefused(*CONSTRAINT_REFUSALS[constraint])
    if isinstance(cause, psycopg_errors.NumericValueOutOfRange):
        return WriteRefused(error_codes.MAX_VALUE, "A number is too large for the field it is stored in.")
    if isinstance(cause, psycopg_errors.StringDataRightTruncation):
        return WriteRefused(error_codes.MAX_LENGTH, "A value is too long for the field it is stored in.")
    return WriteRefused(
        error_codes.ACCOUNT_CREATION_FAILED,
        f"The database refused the account ({type(cause or exc).__name__}); nothing was written.",
    )
