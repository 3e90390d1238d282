"""Render the version-neutral CDR value objects as each version of the standard's payloads:
EnergyAccountListResponseV2, and EnergyAccountDetailResponseV2/V3/V4.

The versions differ only inside `planDetail.*Contract`: see spec/CDR.md §2.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from billing import models as billing_models
from cdr import queries

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
TIME_OF_USE_TYPES = {
    billing_models.RateBand.PEAK: "PEAK",
    billing_models.RateBand.DAY: "PEAK",
    billing_models.RateBand.OFF_PEAK: "OFF_PEAK",
    billing_models.RateBand.NIGHT: "OFF_PEAK",
    billing_models.RateBand.SHOULDER: "SHOULDER",
    billing_models.RateBand.STANDARD: "SHOULDER",
}
TWO_PLACES = Decimal("0.01")


def amount_string(value: Decimal) -> str:
    """CDS AmountString: at least two decimal places, more only if needed; never rounds."""
    normalized = value.normalize()
    if normalized.as_tuple().exponent > -2:
        normalized = normalized.quantize(TWO_PLACES)
    return format(normalized, "f")


def date_string(value: date) -> str:
    return value.isoformat()


def account_list(page: queries.AccountPage, *, links: dict[str, str]) -> dict:
    return {
        "data": {"accounts": [_account(account, detailed=False, version=2) for account in page.accounts]},
        "links": links,
        "meta": {"totalRecords": page.total_records, "totalPages": page.total_pages},
    }


def account_detail(account: queries.EnergyAccount, *, version: int, self_link: str) -> dict:
    return {
        "data": _account(account, detailed=True, version=version),
        "links": {"self": self_link},
        "meta": {},
    }


def _account(account: queries.EnergyAccount, *, detailed: bool, version: int) -> dict:
    body = {
        "accountId": account.account_id,
        "accountNumber": account.account_number,
        "openStatus": account.open_status,
        "creationDate": date_string(account.creation_date),
        "plans": [_plan(plan, account=account, detailed=detailed, version=version) for plan in account.plans],
    }
    if account.display_name:
        body["displayName"] = account.display_name
    return body


def _plan(plan: queries.Plan, *, account: queries.EnergyAccount, detailed: bool, version: int) -> dict:
    overview = {"displayName": plan.display_name, "startDate": date_string(plan.start_date)}
    if plan.end_date is not None:
        overview["endDate"] = date_string(plan.end_date)
    body = {"servicePointIds": list(plan.service_point_ids), "planOverview": overview}
    if detailed:
        if plan.detail is not None:
            body["planDetail"] = _plan_detail(plan.detail, version=version)
        if account.authorised_contacts:
            body["authorisedContacts"] = [_contact(contact) for contact in account.authorised_contacts]
    return body


def _contact(contact: queries.Contact) -> dict:
    body = {"lastName": contact.last_name}
    if contact.first_name:
        body["firstName"] = contact.first_name
    return body


def _plan_detail(detail: queries.PlanDetail, *, version: int) -> dict:
    contract = {
        "pricingModel": "TIME_OF_USE" if detail.is_time_of_use else "SINGLE_RATE",
        "isFixed": detail.is_fixed,
        "paymentOption": list(detail.payment_options),
        "tariffPeriod": [_tariff_period(detail, version=version)] if detail.rates else [],
    }
    if detail.is_time_of_use:
        contract["timeZone"] = "LOCAL"
    if detail.variation:
        contract["variation"] = detail.variation
    if detail.is_green:
        contract["intrinsicGreenPower"] = {"greenPercentage": "1.00"}
    contract_key = "gasContract" if detail.fuel_type == "GAS" else "electricityContract"
    return {"fuelType": detail.fuel_type, "isContingentPlan": False, contract_key: contract}


def _tariff_period(detail: queries.PlanDetail, *, version: int) -> dict:
    period = {"displayName": "All year", "startDate": "01-01", "endDate": "12-31"}
    supply_charge = amount_string(detail.daily_supply_charge)
    if version >= 4:
        period["dailySupplyChargeType"] = "SINGLE"
        period["dailySupplyCharge"] = supply_charge
    else:
        period["dailySupplyCharges"] = supply_charge
    if detail.is_time_of_use:
        period["rateBlockUType"] = "timeOfUseRates"
        period["timeOfUseRates"] = [
            _time_of_use_rate(rate, detail=detail, version=version) for rate in detail.rates
        ]
    else:
        rate = detail.rates[0]
        period["rateBlockUType"] = "singleRate"
        period["singleRate"] = {
            "displayName": rate.band.title(),
            "rates": [{"unitPrice": amount_string(rate.unit_price), "measureUnit": "KWH"}],
        }
    return period


def _time_of_use_rate(rate: queries.Rate, *, detail: queries.PlanDetail, version: int) -> dict:
    return {
        "displayName": rate.band.replace("_", " ").title(),
        "rates": [{"unitPrice": amount_string(rate.unit_price), "measureUnit": "KWH"}],
        "timeOfUse": [
            {
                "days": list(DAYS),
                "startTime": _time(start, version=version, utc_offset=detail.utc_offset),
                "endTime": _time(end, version=version, utc_offset=detail.utc_offset),
            }
            for start, end in rate.windows
        ],
        "type": TIME_OF_USE_TYPES[rate.band],
    }


def _time(moment: time, *, version: int, utc_offset: timedelta) -> str:
    """v3 onwards: an ISO 8601 local time (the contract's LOCAL time zone applies). v2: a CDS
    TimeString, which must carry a UTC offset: the local offset on the day of the response."""
    local = moment.strftime("%H:%M:%S")
    if version >= 3:
        return local
    minutes = int(utc_offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{local}{sign}{hours:02d}:{minutes:02d}"
