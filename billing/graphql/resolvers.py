"""Resolvers of agreements, tariffs and rates, bills and payments, hung off accounts and meter
points, and the `electricityAgreement`/`gasAgreement`/`energyProduct(s)` roots."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from accounts.graphql import access
from accounts.graphql import dataloaders as accounts_loaders
from billing import models
from billing.graphql import dataloaders, products
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries
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
        "id": gql.encode_pk(tariff.pk),
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
    now = gql.context(info).now
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

    @staticmethod
    def resolve_energyProduct(root, info, code):
        gql.context(info).viewer()
        return models.Product.objects.filter(code=code).first()

    @staticmethod
    def resolve_energyProducts(
        root, info, postcode, brand=None, brands=None, availability=None, filterBy=None, **kwargs
    ):
        ctx = gql.context(info)
        ctx.viewer()
        args = gql.page_args(**kwargs)
        filters = {_name(f) for f in filterBy or []}
        wanted_brands = [b for b in [brand, *(brands or [])] if b]
        availability = _name(availability)
        rows = products.products(
            regions=_regions(info, postcode),
            now=ctx.now,
            brands=wanted_brands or None,
            available=None if availability is None else availability == "AVAILABLE",
            variable=True if "VARIABLE" in filters else False if "FIXED" in filters else None,
            green="GREEN" in filters,
            # The catalogue holds no business, prepay or smart-only products.
            nothing=bool(filters & {"BUSINESS", "PREPAY", "SMART"}) or {"VARIABLE", "FIXED"} <= filters,
        )
        return gql.paginate(rows, args=args)

    @staticmethod
    def resolve_applicableRates(root, info, accountNumber, mpxn, startAt, endAt, **kwargs):
        account = access.viewer_account(info, accountNumber)
        args = gql.page_args(**kwargs)
        if not startAt < endAt or endAt - startAt > products.MAX_RATE_WINDOW:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="startAt must be before endAt, at most 31 days apart."
            )
        meter_point = None
        for electricity in (True, False):
            try:
                meter_point = metering_queries.meter_point_of_accounts(
                    identifier=mpxn, account_ids={account.pk}, electricity=electricity
                )
                break
            except metering_queries.NotFound:
                continue
        if meter_point is None:
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        rows = products.applicable_rates(
            meter_point_id=meter_point.pk, account_id=account.pk, start=startAt, end=endAt
        )
        return gql.paginate_list(rows, args=args)


def _agreement(info, id, *, electricity: bool):
    ctx = gql.context(info)
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
        raise gql.KrakenError(error_codes.UNAUTHORIZED)
    return agreement


def agreement_type(agreement: models.Agreement) -> str:
    if agreement.meter_point.utility_type in ELECTRICITY:
        return "ElectricityAgreementType"
    return "GasAgreementType"


class AccountType:
    @staticmethod
    def resolve_electricityAgreements(account, info, active=None):
        return gql.then(
            dataloaders.agreements_of_account(info, account.pk),
            lambda rows: _agreements(
                [a for a in rows if a.meter_point.utility_type in ELECTRICITY], info, active=active
            ),
        )

    @staticmethod
    def resolve_gasAgreements(account, info, active=None):
        return gql.then(
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
            args=gql.page_args(**kwargs),
            order=_name(orderBy) or "FROM_DATE_DESC",
            filters=tuple(sorted(filters)),
        )

    @staticmethod
    def resolve_bill(account, info, id, billType=None):
        pk = gql.decode_pk(str(id))
        bill = models.Bill.objects.filter(pk=pk, account_id=account.pk).first() if pk else None
        if bill is None or (billType is not None and bill.bill_type != _name(billType)):
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        return bill

    @staticmethod
    def resolve_payments(account, info, status=None, **kwargs):
        filters = (("status", _name(status)),) if status is not None else ()
        return dataloaders.payments_of_account(
            info, account.pk, args=gql.page_args(**kwargs), filters=filters
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

        return gql.then(dataloaders.agreements_of_meter_point(info, meter_point.pk), pick)


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
        ctx = gql.context(info)
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
    resolve_id = staticmethod(lambda b, info: gql.encode_pk(b.pk))
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
    resolve_id = staticmethod(lambda p, info: gql.encode_pk(p.pk))
    resolve_amount = staticmethod(lambda p, info: p.amount)
    resolve_paymentDate = staticmethod(lambda p, info: (p.paid_at or p.created_at).date())
    resolve_reference = staticmethod(lambda p, info: p.vendor_reference)
    resolve_status = staticmethod(lambda p, info: p.status)
    resolve_transactionType = staticmethod(lambda p, info: p.transaction_type)


def _live(product: models.Product, now: datetime) -> bool:
    return product.available_from <= now and (product.available_to is None or now < product.available_to)


def _regions(info, postcode: str) -> set[str]:
    """The regions of a postcode, looked up once per request."""
    memo = gql.context(info).memo.setdefault("postcode_regions", {})
    if postcode not in memo:
        memo[postcode] = metering_queries.regions_of_postcode(postcode=postcode)
    return memo[postcode]


def _tariffs_of_products(info, product_id: int, postcode: str, args: gql.PageArgs):
    """A page of tariffs per product: one query for the pages, one for their rates, however many
    products are listed."""
    regions = _regions(info, postcode)

    def batch(ids, page):
        rows = models.Tariff.objects.filter(products.tariffs_in(regions)).select_related("product")
        pages = gql.paginate_by_parent(
            rows, parent_field="product_id", parent_ids=ids, order_by=("code", "id"), args=page
        )
        products.with_rates([e["node"] for p in pages.values() for e in p["edges"]])
        return pages

    return gql.paged_loader(info, f"tariffs_of_product:{sorted(regions)}", args, batch).load(product_id)


class EnergyProductType:
    resolve_id = staticmethod(lambda p, info: gql.encode_pk(p.pk))
    resolve_code = staticmethod(lambda p, info: p.code)
    resolve_fullName = staticmethod(lambda p, info: p.full_name)
    resolve_displayName = staticmethod(lambda p, info: p.display_name)
    resolve_description = staticmethod(lambda p, info: p.description)
    resolve_availableFrom = staticmethod(lambda p, info: p.available_from)
    resolve_availableTo = staticmethod(lambda p, info: p.available_to)
    resolve_direction = staticmethod(lambda p, info: str(p.direction))
    resolve_isVariable = staticmethod(lambda p, info: p.is_variable)
    resolve_isFixed = staticmethod(lambda p, info: not p.is_variable)
    resolve_isGreen = staticmethod(lambda p, info: p.is_green)
    resolve_isAvailable = staticmethod(lambda p, info: _live(p, gql.context(info).now))
    resolve_isUnavailable = staticmethod(lambda p, info: not _live(p, gql.context(info).now))
    # Non-null in the contract; the catalogue has no hidden, business or prepay products and no notes.
    resolve_isHidden = staticmethod(lambda p, info: False)
    resolve_isBusiness = staticmethod(lambda p, info: False)
    resolve_isPrepay = staticmethod(lambda p, info: False)
    resolve_notes = staticmethod(lambda p, info: "")

    @staticmethod
    def resolve_isChargedHalfHourly(p, info):
        """Whether a tariff of the product prices by time of day (rates with a daily window)."""

        def batch(ids):
            timed = set(
                models.TariffRate.objects.filter(tariff__product_id__in=ids, start_time__isnull=False)
                .values_list("tariff__product_id", flat=True)
                .distinct()
            )
            return [i in timed for i in ids]

        return gql.context(info).loader("product_is_time_of_use", batch).load(p.pk)

    @staticmethod
    def resolve_tariffs(p, info, postcode, paymentMethod=None, **kwargs):
        args = gql.page_args(**kwargs)
        now = gql.context(info).now

        def views(page):
            edges = []
            for edge in page["edges"]:
                view = tariff_view(edge["node"], now)
                # The union of product tariffs has no half-hourly member.
                if view["__typename"] != "HalfHourlyTariff":
                    edges.append({**edge, "node": view})
            return {**page, "edges": edges, "edgeCount": len(edges)}

        return gql.then(_tariffs_of_products(info, p.pk, postcode, args), views)


TYPE_RESOLVERS = {models.Agreement: agreement_type, models.Bill: bill_type}
