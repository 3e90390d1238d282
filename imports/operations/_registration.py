"""Registration flows: marking an imported account's meter points for registration (GB)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from imports import error_codes, models, queries
from imports.operations._base import ImportError_
from metering import models as metering_models

REGISTRATION_FLOW_SUCCESS = "REGISTRATION_FLOW_SUCCESS"
REGISTRATION_FLOW_ERROR = "REGISTRATION_FLOW_ERROR"


class AccountNotImported(ImportError_):
    """No account was created for this (supplier, external account number)."""

    code = error_codes.ACCOUNT_NOT_FOUND


class NoMeterPoints(ImportError_):
    """The imported account has no meter points."""

    code = error_codes.NO_METER_POINTS


@dataclasses.dataclass(frozen=True)
class RegistrationFlowResult:
    """What happened to one meter point: REGISTRATION_FLOW_SUCCESS (it is marked for registration)
    or REGISTRATION_FLOW_ERROR with the reason."""

    mpxn: str
    status: str
    error_detail: str = ""


def send_registration_flows(
    *, supplier: models.ImportSupplier | None, external_account_number: str, now: datetime
) -> list[RegistrationFlowResult]:
    """Mark every meter point of an imported account that awaits registration (GB, pending, supply
    not ended) for registration: one RegistrationFlow row each, which Kraken's registration process
    picks up. Idempotent: a meter point marked before succeeds again and gets no second row, also
    when two requests race (the row is unique per meter point).

    Raises AccountNotImported, NoMeterPoints.
    """
    try:
        process = queries.imported_account(supplier=supplier, external_account_number=external_account_number)
    except models.AccountImportProcess.DoesNotExist:
        raise AccountNotImported(f"Account not found for {external_account_number}.") from None
    registrations = queries.meter_point_registrations(account_id=process.account_id)
    if not registrations:
        raise NoMeterPoints(f"No meter points found for {external_account_number}.")
    results, new_flows = [], []
    for registration in registrations:
        point = registration.meter_point
        refusal = _registration_refusal(supplier=supplier, meter_point=point, now=now)
        if refusal:
            results.append(RegistrationFlowResult(point.identifier, REGISTRATION_FLOW_ERROR, refusal))
            continue
        if not registration.flow_requested:
            new_flows.append(
                models.RegistrationFlow(meter_point=point, account_import=process, requested_at=now)
            )
        results.append(RegistrationFlowResult(point.identifier, REGISTRATION_FLOW_SUCCESS))
    models.RegistrationFlow.objects.bulk_create(new_flows, ignore_conflicts=True)
    return results


def _registration_refusal(
    *, supplier: models.ImportSupplier, meter_point: metering_models.MeterPoint, now: datetime
) -> str:
    """Why this meter point cannot be marked for registration, or ""."""
    if not supplier.send_registration_flows:
        return f"Registration flows are not sent for import supplier {supplier.code}."
    if meter_point.market != metering_models.Market.GB:
        return "Registration flows are sent for GB meter points only."
    if meter_point.supply_to is not None and meter_point.supply_to <= now:
        return f"Supply ended on {meter_point.supply_to:%Y-%m-%d}."
    if meter_point.status != metering_models.MeterPointStatus.PENDING:
        return f"The meter point is {meter_point.status}, not awaiting registration."
    return ""
