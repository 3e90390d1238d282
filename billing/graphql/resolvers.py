"""Resolvers of agreements, tariffs and rates, bills and payments, hung off accounts and meter
points, and the `electricityAgreement`/`gasAgreement`/`energyProduct(s)` roots."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from accounts.graphql import core, error_codes
from accounts.graphql import dataloaders as accounts_loaders
from billing import models
from billing.graphql import dataloaders
from metering.graphql import dataloaders as metering_loaders

ELECTRICITY = ("ELECTRICITY", "EMBEDDED_ELECTRICITY")


def _name(value):
    return getattr(value, "name", value)


def _active(obj, now: datetime) -> bool:
    return obj.active_from <= now and (obj.active_to is None or now < obj.active_to)


def _price(value: Decimal, tax_rate: Decimal) -> float:
    return float(value * (1 + tax_rate))


def tariff_view(tariff: models.Tariff, now: datetime) -> dict:
    """The tariff as the contract's tariff type, with the rates in force at `now`. Prices are
    minor units (pence); `…Rate`/`standingCharge` include tax, `preVat…` do not."""
    product = tariff.product
    tax = product.tax_rate
    rates = {r.band: r.unit_rate for r in tariff.rates.all() if _active(r, now)}
    view = {
        "id": core.encode_pk(tariff.pk),
        "displayName": product.display_name,
        "fullName": product.full_name,
        "description": product.description,
        "productCode": product.code,
        "tariffCode": tariff.code,
        "standingCharge": _price(tariff.standing_charge, tax),
        "preVatStandingCharge": float(tariff.standing_charge),
    }
    bands = set(rates)
    named = {"DAY": "day", "NIGHT": "night", "OFF_PEAK": "offPeak"}
    if tariff.utility_type not in ELECTRICITY or bands <= {"STANDARD"}:
        view["__typename"] = "GasTariffType" if tariff.utility_type not in ELECTRICITY else "StandardTariff"
        if "STANDARD" in rates:
            view.update(unitRate=_price(rates["STANDARD"], tax), preVatUnitRate=float(rates["STANDARD"]))
        return view
    if bands in ({"DAY", "NIGHT"}, {"DAY", "NIGHT", "OFF_PEAK"}):
        view["__typename"] = "DayNightTariff" if len(bands) == 2 else "ThreeRateTariff"
        for band in bands:
            prefix = named[band]
            view[f"{prefix}Rate"] = _price(rates[band], tax)
            view[f"preVat{prefix[0].upper()}{prefix[1:]}Rate"] = float(rates[band])
        return view
    view["__typename"] = "HalfHourlyTariff"
    view["unitRates"] = [
        {
            "validFrom": r.active_from,
            "validTo": r.active_to,
            "value": _price(r.unit_rate, tax),
            "preVatValue": float(r.unit_rate),
        }
        for r in tariff.rates.all()
        if _active(r, now)
    ]
    return view


def _agreements(agreements, info, *, active=None, validAfter=None, includeInactive=None, excludeFuture=None):
    now = core.context(info).now
    out = []
    for a in agreements:
        if active is not None and _active(a, now) != active:
            continue
        if includeInactive is False and not _active(a, now):
            continue
        if excludeFuture and a.active_from > now:
            continue
        if validAfter is not None and a.active_to is not None and a.active_to <= validAfter:
            continue
        out.append(a)
    return out


class Query:
    @staticmethod
    def resolve_electricityAgreement(root, info, id):
        return _agreement(info, id, electricity=True)

    @staticmethod
    def resolve_gasAgreement(root, info, id):
        return _agreement(info, id, electricity=False)


def _agreement(info, id, *, electricity: bool):
    ctx = core.context(info)
    ctx.viewer()
    pk = int(id) if str(id).isdigit() else None
    agreement = (
        models.Agreement.objects.select_related("meter_point").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if (
        agreement is None
        or agreement.account_id not in ctx.viewer_account_ids()
        or (agreement.meter_point.utility_type in ELECTRICITY) != electricity
    ):
        raise core.KrakenError(error_codes.UNAUTHORIZED)
    return agreement


def agreement_type(agreement: models.Agreement) -> str:
    if agreement.meter_point.utility_type in ELECTRICITY:
        return "ElectricityAgreementType"
    return "GasAgreementType"


class AccountType:
    @staticmethod
    def resolve_electricityAgreements(account, info, active=None):
        return core.then(
            dataloaders.agreements_of_account(info, account.pk),
            lambda rows: _agreements(
                [a for a in rows if a.meter_point.utility_type in ELECTRICITY], info, active=active
            ),
        )

    @staticmethod
    def resolve_gasAgreements(account, info, active=None):
        return core.then(
            dataloaders.agreements_of_account(info, account.pk),
            lambda rows: _agreements(
                [a for a in rows if a.meter_point.utility_type not in ELECTRICITY], info, active=active
            ),
        )

    @staticmethod
    def resolve_bills(account, info, orderBy="FROM_DATE_DESC", **kwargs):
        filters = []
        for arg, lookup in (
            ("fromDate", "period_end__date__gt"),
            ("toDate", "period_start__date__lt"),
            ("issuedFromDate", "issued_at__date__gte"),
            ("issuedToDate", "issued_at__date__lte"),
        ):
            if kwargs.get(arg) is not None:
                filters.append((lookup, kwargs[arg]))
        return dataloaders.bills_of_account(
            info,
            account.pk,
            args=core.page_args(**kwargs),
            order=_name(orderBy) or "FROM_DATE_DESC",
            filters=tuple(sorted(filters)),
        )

    @staticmethod
    def resolve_bill(account, info, id, billType=None):
        pk = core.decode_pk(str(id))
        bill = models.Bill.objects.filter(pk=pk, account_id=account.pk).first() if pk else None
        if bill is None or (billType is not None and bill.bill_type != _name(billType)):
            raise core.KrakenError(error_codes.UNAUTHORIZED)
        return bill

    @staticmethod
    def resolve_payments(account, info, status=None, **kwargs):
        filters = (("status", _name(status)),) if status is not None else ()
        return dataloaders.payments_of_account(
            info, account.pk, args=core.page_args(**kwargs), filters=filters
        )


class _MeterPointAgreements:
    @staticmethod
    def resolve_agreements(meter_point, info, validAfter=None, includeInactive=None, excludeFuture=None):
        def pick(rows):
            for a in rows:
                a.meter_point = meter_point
            return _agreements(
                rows,
                info,
                validAfter=validAfter,
                includeInactive=includeInactive,
                excludeFuture=excludeFuture,
            )

        return core.then(dataloaders.agreements_of_meter_point(info, meter_point.pk), pick)


class ElectricityMeterPointType(_MeterPointAgreements):
    pass


class GasMeterPointType(_MeterPointAgreements):
    pass


class _Agreement:
    resolve_id = staticmethod(lambda a, info: a.pk)
    resolve_validFrom = staticmethod(lambda a, info: a.active_from)
    resolve_validTo = staticmethod(lambda a, info: a.active_to)
    resolve_agreedFrom = staticmethod(lambda a, info: a.active_from)
    resolve_agreedTo = staticmethod(lambda a, info: a.active_to)
    resolve_isRevoked = staticmethod(lambda a, info: False)

    @staticmethod
    def resolve_meterPoint(a, info):
        return metering_loaders.meter_point(info, a.meter_point_id)

    @staticmethod
    def resolve_account(a, info):
        return accounts_loaders.account(info, a.account_id)

    @staticmethod
    def resolve_tariff(a, info):
        """Agreements come with their tariff and rates preloaded; the view is built once per tariff."""
        ctx = core.context(info)
        views = ctx.memo.setdefault("tariff_views", {})
        if a.tariff_id not in views:
            views[a.tariff_id] = tariff_view(a.tariff, ctx.now)
        return views[a.tariff_id]


class ElectricityAgreementType(_Agreement):
    pass


class GasAgreementType(_Agreement):
    pass


def bill_type(bill: models.Bill) -> str:
    return {
        models.BillType.STATEMENT: "StatementType",
        models.BillType.PRE_KRAKEN: "PreKrakenBillType",
    }.get(bill.bill_type, "InvoiceType")


def _totals(bill: models.Bill) -> dict:
    return {"netTotal": bill.subtotal, "taxTotal": bill.tax, "grossTotal": bill.total}


class _Bill:
    resolve_id = staticmethod(lambda b, info: core.encode_pk(b.pk))
    resolve_billType = staticmethod(lambda b, info: b.bill_type)
    resolve_fromDate = staticmethod(lambda b, info: b.period_start.date())
    resolve_toDate = staticmethod(lambda b, info: b.period_end.date())
    resolve_issuedDate = staticmethod(lambda b, info: b.issued_at.date())


class StatementType(_Bill):
    resolve_totalCharges = staticmethod(lambda b, info: _totals(b))
    resolve_consumptionStartDate = staticmethod(lambda b, info: b.period_start.date())
    resolve_consumptionEndDate = staticmethod(lambda b, info: b.period_end.date())


class InvoiceType(_Bill):
    resolve_grossAmount = staticmethod(lambda b, info: b.total)


class PreKrakenBillType(_Bill):
    pass


class AccountPaymentType:
    resolve_id = staticmethod(lambda p, info: core.encode_pk(p.pk))
    resolve_amount = staticmethod(lambda p, info: p.amount)
    resolve_paymentDate = staticmethod(lambda p, info: (p.paid_at or p.created_at).date())
    resolve_reference = staticmethod(lambda p, info: p.vendor_reference)
    resolve_status = staticmethod(lambda p, info: p.status)
    resolve_transactionType = staticmethod(lambda p, info: p.transaction_type)


TYPE_RESOLVERS = {models.Agreement: agreement_type, models.Bill: bill_type}
