"""Fields of agreements, tariffs and rates, bills, payments and energy products, and the billing
fields of accounts and meter points.

Each class is named after the contract type it resolves; `kernel.graphql.binding.bind` attaches its
`resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
Prices come from `billing.pricing` as exact Decimal minor units and become the contract's Float
here, at the edge.
"""

from __future__ import annotations

from datetime import datetime

from accounts.graphql import dataloaders as accounts_loaders
from billing import models, pricing, queries
from billing.graphql import dataloaders
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries
from metering.graphql import dataloaders as metering_loaders

# --- tariffs -------------------------------------------------------------------------------------


def _with_tax(price: pricing.Price | None) -> float | None:
    return float(price.with_tax) if price is not None else None


def _before_tax(price: pricing.Price | None) -> float | None:
    return float(price.before_tax) if price is not None else None


def _tariff(type_name: str, tariff: models.Tariff, prices: pricing.TariffPrices, **rates) -> dict:
    product = tariff.product
    return gql.view(
        type_name,
        id=gql.encode_pk(tariff.pk),
        displayName=product.display_name,
        fullName=product.full_name,
        description=product.description,
        productCode=product.code,
        tariffCode=tariff.code,
        standingCharge=_with_tax(prices.standing_charge),
        preVatStandingCharge=_before_tax(prices.standing_charge),
        **rates,
    )


def _day_night(
    type_name: str, tariff: models.Tariff, prices: pricing.TariffPrices, rates: dict, **more
) -> dict:
    day, night = rates["DAY"], rates["NIGHT"]
    return _tariff(
        type_name,
        tariff,
        prices,
        dayRate=_with_tax(day),
        preVatDayRate=_before_tax(day),
        nightRate=_with_tax(night),
        preVatNightRate=_before_tax(night),
        **more,
    )


def tariff_view(tariff: models.Tariff, now: datetime) -> dict:
    """The tariff as the contract's tariff type, with the rates in force at `now`. Prices are
    minor units (pence); `…Rate`/`standingCharge` include tax, `preVat…` do not."""
    prices = pricing.tariff_prices(tariff=tariff, at=now)
    rates = {r.band: r.price for r in prices.unit_rates}
    bands = set(rates)
    electricity = metering_queries.is_electricity(tariff.utility_type)
    if not electricity or bands <= {"STANDARD"}:
        standard = rates.get("STANDARD")
        return _tariff(
            "StandardTariff" if electricity else "GasTariffType",
            tariff,
            prices,
            unitRate=_with_tax(standard),
            preVatUnitRate=_before_tax(standard),
        )
    if bands == {"DAY", "NIGHT"}:
        return _day_night("DayNightTariff", tariff, prices, rates)
    if bands == {"DAY", "NIGHT", "OFF_PEAK"}:
        off_peak = rates["OFF_PEAK"]
        return _day_night(
            "ThreeRateTariff",
            tariff,
            prices,
            rates,
            offPeakRate=_with_tax(off_peak),
            preVatOffPeakRate=_before_tax(off_peak),
        )
    return _tariff(
        "HalfHourlyTariff",
        tariff,
        prices,
        unitRates=[
            gql.view(
                "UnitRate",
                validFrom=r.period.start,
                validTo=r.period.end,
                value=_with_tax(r.price),
                preVatValue=_before_tax(r.price),
            )
            for r in prices.unit_rates
        ],
    )


def applicable_rate_view(rate: pricing.ApplicableRate) -> dict:
    return gql.view("ApplicableRate", value=rate.value, validFrom=rate.period.start, validTo=rate.period.end)


# --- accounts and meter points -------------------------------------------------------------------


def agreement_type(agreement: models.Agreement) -> str:
    if metering_queries.is_electricity(agreement.meter_point.utility_type):
        return "ElectricityAgreementType"
    return "GasAgreementType"


def _agreements_of_account(account, info, *, electricity: bool, active: bool | None):
    """The account's electricity (or gas) agreements, only those (not) in force now with `active`."""
    now = gql.context(info).now

    def pick(rows):
        rows = [a for a in rows if metering_queries.is_electricity(a.meter_point.utility_type) == electricity]
        return queries.select_agreements(rows, at=now, active=active)

    return gql.then(dataloaders.agreements_of_account(info, account.pk), pick)


class AccountType:
    @staticmethod
    def resolve_electricityAgreements(account, info, active=None):
        return _agreements_of_account(account, info, electricity=True, active=active)

    @staticmethod
    def resolve_gasAgreements(account, info, active=None):
        return _agreements_of_account(account, info, electricity=False, active=active)

    @staticmethod
    def resolve_bills(account, info, orderBy="FROM_DATE_DESC", **kwargs):
        filters = tuple(
            (name, kwargs[arg])
            for arg, name in (
                ("fromDate", "from_date"),
                ("issuedFromDate", "issued_from_date"),
                ("issuedToDate", "issued_to_date"),
                ("toDate", "to_date"),
            )
            if kwargs.get(arg) is not None
        )
        return dataloaders.bills_of_account(
            info,
            account.pk,
            args=gql.page_args(**kwargs),
            order=gql.enum_name(orderBy) or "FROM_DATE_DESC",
            filters=filters,
        )

    @staticmethod
    def resolve_bill(account, info, id, billType=None):
        pk = gql.decode_pk(str(id))
        bill = queries.get_bill_of_account(id=pk, account_id=account.pk) if pk else None
        if bill is None or (billType is not None and bill.bill_type != gql.enum_name(billType)):
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        return bill

    @staticmethod
    def resolve_payments(account, info, status=None, **kwargs):
        return dataloaders.payments_of_account(
            info, account.pk, args=gql.page_args(**kwargs), status=gql.enum_name(status)
        )


class _MeterPointAgreements:
    @staticmethod
    def resolve_agreements(meter_point, info, validAfter=None, includeInactive=None, excludeFuture=None):
        now = gql.context(info).now

        def pick(rows):
            for a in rows:
                a.meter_point = meter_point
            return queries.select_agreements(
                rows,
                at=now,
                valid_after=validAfter,
                include_inactive=includeInactive,
                exclude_future=excludeFuture,
            )

        return gql.then(dataloaders.agreements_of_meter_point(info, meter_point.pk), pick)


class ElectricityMeterPointType(_MeterPointAgreements):
    pass


class GasMeterPointType(_MeterPointAgreements):
    pass


# --- agreements ----------------------------------------------------------------------------------


class _Agreement:
    resolve_id = gql.plain(lambda a, info: a.pk)
    resolve_validFrom = gql.plain(lambda a, info: a.active_from)
    resolve_validTo = gql.plain(lambda a, info: a.active_to)
    resolve_agreedFrom = gql.plain(lambda a, info: a.active_from)
    resolve_agreedTo = gql.plain(lambda a, info: a.active_to)
    resolve_isRevoked = gql.plain(lambda a, info: False)

    @staticmethod
    def resolve_meterPoint(a, info):
        return metering_loaders.meter_point(info, a.meter_point_id)

    @staticmethod
    def resolve_account(a, info):
        return accounts_loaders.account(info, a.account_id)

    @staticmethod
    def resolve_tariff(a, info):
        """Agreements come with their tariff and rates preloaded; the view is built once per tariff."""
        ctx = gql.context(info)
        views = ctx.memo.setdefault("tariff_views", {})
        if a.tariff_id not in views:
            views[a.tariff_id] = tariff_view(a.tariff, ctx.now)
        return views[a.tariff_id]


class ElectricityAgreementType(_Agreement):
    pass


class GasAgreementType(_Agreement):
    pass


# --- bills and payments --------------------------------------------------------------------------


def bill_type(bill: models.Bill) -> str:
    return {
        models.BillType.STATEMENT: "StatementType",
        models.BillType.PRE_KRAKEN: "PreKrakenBillType",
    }.get(bill.bill_type, "InvoiceType")


class _Bill:
    resolve_id = gql.plain(lambda b, info: gql.encode_pk(b.pk))
    resolve_billType = gql.plain(lambda b, info: b.bill_type)
    resolve_fromDate = gql.plain(lambda b, info: b.period_start.date())
    resolve_toDate = gql.plain(lambda b, info: b.period_end.date())
    resolve_issuedDate = gql.plain(lambda b, info: b.issued_at.date())


class StatementType(_Bill):
    resolve_totalCharges = staticmethod(
        lambda b, info: gql.view(
            "StatementTotalType", netTotal=b.subtotal, taxTotal=b.tax, grossTotal=b.total
        )
    )
    resolve_consumptionStartDate = gql.plain(lambda b, info: b.period_start.date())
    resolve_consumptionEndDate = gql.plain(lambda b, info: b.period_end.date())


class InvoiceType(_Bill):
    resolve_grossAmount = gql.plain(lambda b, info: b.total)


class PreKrakenBillType(_Bill):
    pass


class AccountPaymentType:
    resolve_id = gql.plain(lambda p, info: gql.encode_pk(p.pk))
    resolve_amount = gql.plain(lambda p, info: p.amount)
    resolve_paymentDate = gql.plain(lambda p, info: (p.paid_at or p.created_at).date())
    resolve_reference = gql.plain(lambda p, info: p.vendor_reference)
    resolve_status = gql.plain(lambda p, info: p.status)
    resolve_transactionType = gql.plain(lambda p, info: p.transaction_type)


# --- energy products -----------------------------------------------------------------------------


def _is_available(product: models.Product, info) -> bool:
    return pricing.is_available(product=product, at=gql.context(info).now)


class EnergyProductType:
    resolve_id = gql.plain(lambda p, info: gql.encode_pk(p.pk))
    resolve_code = gql.plain(lambda p, info: p.code)
    resolve_fullName = gql.plain(lambda p, info: p.full_name)
    resolve_displayName = gql.plain(lambda p, info: p.display_name)
    resolve_description = gql.plain(lambda p, info: p.description)
    resolve_availableFrom = gql.plain(lambda p, info: p.available_from)
    resolve_availableTo = gql.plain(lambda p, info: p.available_to)
    resolve_direction = gql.plain(lambda p, info: str(p.direction))
    resolve_isVariable = gql.plain(lambda p, info: p.is_variable)
    resolve_isFixed = gql.plain(lambda p, info: not p.is_variable)
    resolve_isGreen = gql.plain(lambda p, info: p.is_green)
    resolve_isAvailable = staticmethod(_is_available)
    resolve_isUnavailable = staticmethod(lambda p, info: not _is_available(p, info))
    # Non-null in the contract; the catalogue has no hidden, business or prepay products and no notes.
    resolve_isHidden = gql.plain(lambda p, info: False)
    resolve_isBusiness = gql.plain(lambda p, info: False)
    resolve_isPrepay = gql.plain(lambda p, info: False)
    resolve_notes = gql.plain(lambda p, info: "")

    @staticmethod
    def resolve_isChargedHalfHourly(p, info):
        """Whether a tariff of the product prices by time of day (rates with a daily window)."""
        return dataloaders.is_time_of_use(info, p.pk)

    @staticmethod
    def resolve_tariffs(p, info, postcode, paymentMethod=None, **kwargs):
        args = gql.page_args(**kwargs)
        now = gql.context(info).now

        def product_tariff(tariff):
            view = tariff_view(tariff, now)
            # The union of product tariffs has no half-hourly member.
            return None if view["__typename"] == "HalfHourlyTariff" else view

        regions = regions_of_postcode(info, postcode)
        page = dataloaders.tariffs_of_product(info, p.pk, regions=regions, args=args)
        return gql.then(page, lambda page: gql.map_nodes(page, product_tariff))


def regions_of_postcode(info, postcode: str) -> set[str]:
    """The regions of a postcode, looked up once per request."""
    memo = gql.context(info).memo.setdefault("postcode_regions", {})
    if postcode not in memo:
        memo[postcode] = metering_queries.regions_of_postcode(postcode=postcode)
    return memo[postcode]


TYPE_RESOLVERS = {models.Agreement: agreement_type, models.Bill: bill_type}
