"""Fields of agreements, tariffs and rates, bills, payments and energy products, and the billing
fields of accounts and meter points.

Each class is named after the contract type it resolves; `kernel.graphql.binding.bind` attaches its
`resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
Prices come from `billing.pricing` as exact Decimal minor units and become the contract's Float
here, at the edge.
"""

from __future__ import annotations

from dataclasses import astuple
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.graphql import dataloaders as accounts_loaders
from accounts.graphql import types as accounts_types
from billing import calculation, models, pricing, queries
from billing.graphql import dataloaders
from billing.graphql.views import tariff_view
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries
from metering.graphql import dataloaders as metering_loaders

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
    def resolve_brand(account, info):
        """The account's own brand, else the brand of the products it is supplied on."""
        if account.brand:
            return account.brand

        def pick(agreements):
            brands = [a.tariff.product.brand for a in agreements if a.tariff.product.brand]
            return brands[-1] if brands else None

        return gql.then(dataloaders.agreements_of_account(info, account.pk), pick)

    @staticmethod
    def resolve_canRenewTariff(account, info):
        """Whether a fixed-term agreement in force ends within the renewal window (when the
        supplier must offer the next tariff)."""
        now = gql.context(info).now
        return gql.then(
            dataloaders.agreements_of_account(info, account.pk),
            lambda agreements: queries.renewable(agreements, at=now),
        )

    @staticmethod
    def resolve_overdueBalance(account, info):
        today = accounts_types.local_date(gql.context(info).now)
        return dataloaders.overdue_balance(info, account.pk, today=today)

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
        pk = gql.parse_model_id(str(id), *BILL_TYPES)
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


class SmartMeterDeviceType:
    @staticmethod
    def resolve_paymentMode(device, info):
        """PREPAY while the meter point's agreement in force is on a prepayment product, CREDIT while
        it is on another; null without an agreement in force."""
        now = gql.context(info).now

        def mode(agreements):
            current = queries.select_agreements(agreements, at=now, active=True)
            if not current:
                return None
            return "PREPAY" if current[0].tariff.product.is_prepay else "CREDIT"

        return gql.then(dataloaders.agreements_of_meter_point(info, device.meter.meter_point_id), mode)


# --- agreements ----------------------------------------------------------------------------------


class _Agreement:
    # The contract types an agreement's id Int: its public number, never the primary key.
    resolve_id = gql.plain(lambda a, info: gql.encode_int(a.pk))
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
    @gql.context_only
    def resolve_tariff(a, info):
        """Agreements come with their tariff and rates preloaded; the view is built once per tariff
        and request (and completed once: `gql.context_only`)."""
        ctx = gql.context(info)
        return ctx.remembered(("tariff_view", a.tariff_id), lambda: tariff_view(a.tariff, ctx.now))

    @staticmethod
    def resolve_lineItems(a, info, startAt, grouping, itemType, timezone, **kwargs):
        """The agreement's charges from `startAt` (billing.queries._line_items): one item per
        bucket of `grouping` in `timezone`, or per bill line for NONE, of `itemType` only. Inputs
        are read once for the page's buckets, and once for all the agreements of the request that
        share the account, span and page boundaries (`dataloaders.line_item_pricer`); only the
        page's buckets are priced."""
        args = gql.page_args(**kwargs)
        try:
            tz = ZoneInfo(metering_queries.time_zone(timezone))
        except metering_queries.UnknownTimeZone as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA,
                description=f"Unknown time zone '{timezone}'.",
                validation_errors=[{"message": "Not a time zone name.", "inputPath": ["timezone"]}],
            ) from exc
        start = startAt if startAt.tzinfo is not None else startAt.replace(tzinfo=tz)
        span = queries.line_item_span(agreement=a, start=start, now=gql.context(info).now)
        grouping, item_type = gql.enum_name(grouping), gql.enum_name(itemType)
        if span is None:
            return gql.paginate_list([], args=args)
        if grouping == "NONE":
            request = queries.LineItemRequest(
                agreement=a, item_type=item_type, buckets=(span,), by_bill_line=True
            )
            items = _priced_line_items(info, request)
            return gql.paginate_list([_line_item_view(item, tz) for item in items], args=args)
        buckets = queries.line_item_buckets(span=span, grouping=grouping, tz=tz)
        first, last = gql.page_window(args, len(buckets))
        request = queries.LineItemRequest(
            agreement=a, item_type=item_type, buckets=tuple(buckets[first:last])
        )
        items = _priced_line_items(info, request)
        return gql.connection([_line_item_view(item, tz) for item in items], start=first, total=len(buckets))


def _priced_line_items(info, request: queries.LineItemRequest) -> list[queries.AgreementLineItem]:
    try:
        return dataloaders.line_item_pricer(info).items(request)
    except calculation.BillingError as exc:
        raise gql.KrakenError(error_codes.UNABLE_TO_PRICE) from exc


def _line_item_view(item: queries.AgreementLineItem, tz) -> dict:
    """Times in the zone the buckets were asked in; money in minor units (pence) before tax."""
    return gql.view(
        "LineItemType",
        startAt=item.period.start.astimezone(tz),
        endAt=item.period.end.astimezone(tz),
        netAmount=Decimal(item.net_amount),
        numberOfUnits=item.number_of_units,
        itemType=item.item_type,
        settlementUnit=item.settlement_unit,
    )


class ElectricityAgreementType(_Agreement):
    pass


class GasAgreementType(_Agreement):
    pass


def smart_tariff_comparison_view(comparison: queries.TariffComparison) -> dict:
    """Costs are integer pence from the calculation; the contract's Float carries them as pence,
    as Kraken reports them."""
    return gql.view(
        "SmartTariffComparisonType",
        currentCost=float(comparison.current.cost),
        currentCostWithTax=float(comparison.current.cost_with_tax),
        consumptionReadingsStartAt=comparison.period.start,
        consumptionReadingsEndAt=comparison.period.end,
        costComparisons=[
            gql.view(
                "TariffComparisonType",
                tariff=cost.tariff_code,
                cost=float(cost.cost),
                costWithTax=float(cost.cost_with_tax),
            )
            for cost in comparison.alternatives
        ],
    )


# --- bills and payments --------------------------------------------------------------------------


def bill_type(bill: models.Bill) -> str:
    return {
        models.BillType.STATEMENT: "StatementType",
        models.BillType.PRE_KRAKEN: "PreKrakenBillType",
    }.get(bill.bill_type, "InvoiceType")


BILL_TYPES = ("StatementType", "InvoiceType", "PreKrakenBillType")


class _Bill:
    resolve_id = gql.plain(lambda b, info: gql.model_id(bill_type(b), b.pk))
    resolve_billType = gql.plain(lambda b, info: b.bill_type)
    resolve_fromDate = gql.plain(lambda b, info: accounts_types.local_date(b.period_start))
    resolve_toDate = gql.plain(lambda b, info: accounts_types.local_date(b.period_end))
    resolve_issuedDate = gql.plain(lambda b, info: accounts_types.local_date(b.issued_at))


def _account_address(bill: models.Bill, info, read):
    """`read(address)` of the billing address of the bill's account (None without one)."""
    return gql.then(
        accounts_loaders.account(info, bill.account_id),
        lambda account: accounts_types.billing_address_of(account, info, read),
    )


def _statement_total(net: int, tax: int, gross: int) -> dict:
    return gql.view("StatementTotalType", netTotal=net, taxTotal=tax, grossTotal=gross)


class StatementType(_Bill):
    # A statement carried over from the supplier before (PRE_KRAKEN) is an external bill.
    resolve_isExternalBill = gql.plain(lambda b, info: b.bill_type == models.BillType.PRE_KRAKEN)

    @staticmethod
    def resolve_toAddress(bill, info):
        """The address the statement goes to: its account's billing address."""
        return _account_address(bill, info, str)

    @staticmethod
    def resolve_totalCharges(bill, info):
        """What the statement's transactions took from the balance; a statement carried over from
        before (no transactions recorded on it) shows its own bill's amounts."""

        def read(totals):
            if totals is None:
                return _statement_total(bill.subtotal, bill.tax, bill.total)
            return _statement_total(*astuple(totals[0]))

        return gql.then(dataloaders.statement_totals(info, bill), read)

    @staticmethod
    def resolve_totalCredits(bill, info):
        return gql.then(
            dataloaders.statement_totals(info, bill),
            lambda totals: _statement_total(*astuple(totals[1] if totals else queries.Amounts())),
        )

    resolve_openingBalance = gql.plain(lambda b, info: queries.balances_of(b)[0])
    resolve_closingBalance = gql.plain(lambda b, info: queries.balances_of(b)[1])
    # Every statement the graph lists is issued, so closed; what is posted since is on no bill yet.
    resolve_status = gql.plain(lambda b, info: queries.CLOSED)

    @staticmethod
    def resolve_transactions(bill, info, **kwargs):
        args = gql.page_args(**kwargs)
        return gql.then(
            dataloaders.statement_transactions(info, bill),
            lambda entries: gql.paginate_list(entries, args=args),
        )

    resolve_paymentDueDate = gql.plain(lambda b, info: b.payment_due_date)

    @staticmethod
    def resolve_userId(bill, info):
        """The account user the statement is addressed to: the account's first."""
        return gql.then(
            accounts_loaders.users_of_account(info, bill.account_id),
            lambda users: gql.encode_int(users[0].pk) if users else None,
        )

    # Bills held for review are not issued (they wait on their billing run); an issued statement
    # is never held.
    resolve_heldStatus = staticmethod(lambda b, info: gql.view("HeldStatus", isHeld=False, reason=None))
    resolve_consumptionStartDate = gql.plain(lambda b, info: accounts_types.local_date(b.period_start))
    resolve_consumptionEndDate = gql.plain(lambda b, info: accounts_types.local_date(b.period_end))
    # An issued statement is closed and nothing on it is reversed afterwards (ledger entries are
    # append-only; a correction is a new entry); voiding a statement reverses all of it.
    resolve_reversalsAfterClose = gql.plain(
        lambda b, info: "ALL" if b.status == models.BillStatus.VOID else "NONE"
    )


class InvoiceType(_Bill):
    resolve_grossAmount = gql.plain(lambda b, info: b.total)


class PreKrakenBillType(_Bill):
    pass


def _amounts(entry, bill: models.Bill | None) -> dict:
    """TransactionAmountType of a ledger entry (unsigned minor units, as Kraken reports them): a
    bill's charge splits into the bill's net and tax; money paid, refunded or credited carries no
    tax; any other charge's split is not recorded."""
    gross = abs(entry.amount)
    if bill is not None and bill.total == gross:
        return gql.view("TransactionAmountType", net=bill.subtotal, tax=bill.tax, gross=gross)
    if accounts_types.transaction_type(entry) != "Charge":
        return gql.view("TransactionAmountType", net=gross, tax=0, gross=gross)
    return gql.view("TransactionAmountType", gross=gross)


class _LedgerEntryBill:
    """The bill behind a ledger entry (Charge, Credit, Payment, Refund), when it comes from one."""

    @staticmethod
    def resolve_amounts(entry, info):
        return gql.then(
            dataloaders.bill_of_ledger_reference(info, entry.reference), lambda bill: _amounts(entry, bill)
        )

    @staticmethod
    def resolve_hasStatement(entry, info):
        return _on_statement(
            entry, info, lambda bill: bill.bill_type == models.BillType.STATEMENT, default=False
        )

    @staticmethod
    def resolve_statementId(entry, info):
        return _on_statement(entry, info, lambda bill: gql.model_id(bill_type(bill), bill.pk))

    @staticmethod
    def resolve_billingDocumentIdentifier(entry, info):
        return _on_statement(entry, info, lambda bill: bill.number)


def _on_statement(entry, info, read, *, default=None):
    """`read(bill)` of the statement the entry is on, else of the bill it charges for; `default` for
    neither."""
    return gql.then(
        dataloaders.statement_of_ledger_entry(info, entry),
        lambda bill: read(bill) if bill is not None else default,
    )


class Charge(_LedgerEntryBill):
    # The billing engine charges for energy supplied (import) only; exported energy is never billed.
    resolve_isExport = gql.plain(lambda entry, info: False)


class Credit(_LedgerEntryBill):
    pass


class Payment(_LedgerEntryBill):
    pass


class Refund(_LedgerEntryBill):
    pass


class AccountPaymentType:
    resolve_id = gql.plain(lambda p, info: gql.model_id("AccountPaymentType", p.pk))
    resolve_amount = gql.plain(lambda p, info: p.amount)
    resolve_paymentDate = gql.plain(lambda p, info: accounts_types.local_date(p.paid_at or p.created_at))
    resolve_reference = gql.plain(lambda p, info: p.vendor_reference)
    resolve_status = gql.plain(lambda p, info: p.status)
    resolve_transactionType = gql.plain(lambda p, info: p.transaction_type)
    # The platform adds no surcharge to any way of paying.
    resolve_surchargeAmount = gql.plain(lambda p, info: 0)


# --- energy products -----------------------------------------------------------------------------


def _is_available(product: models.Product, info) -> bool:
    return pricing.is_available(product=product, at=gql.context(info).now)


class EnergyProductType:
    resolve_id = gql.plain(lambda p, info: gql.model_id("EnergyProductType", p.pk))
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
    resolve_isBusiness = gql.plain(lambda p, info: p.is_business)
    resolve_isDomestic = gql.plain(lambda p, info: not p.is_business)
    resolve_isPrepay = gql.plain(lambda p, info: p.is_prepay)
    resolve_term = gql.plain(lambda p, info: p.term)
    # A GB supplier may not charge a fee for leaving a variable (evergreen) tariff; a fixed product's
    # exit fee is not recorded.
    resolve_exitFees = gql.plain(lambda p, info: 0 if p.is_variable else None)
    resolve_exitFeesType = gql.plain(lambda p, info: "NONE" if p.is_variable else None)
    # Non-null in the contract; the catalogue hides no product and keeps no notes. The energy price
    # guarantee (2022-23) is no part of any price the platform holds.
    resolve_isHidden = gql.plain(lambda p, info: False)
    resolve_notes = gql.plain(lambda p, info: "")
    resolve_includesEpgReduction = gql.plain(lambda p, info: False)

    @staticmethod
    def resolve_isChargedHalfHourly(p, info):
        """Whether the product prices each half hour on its own: rates published per half hour
        (Agile-style), or a tariff pricing by time of day (rates with a daily window)."""
        if p.rates_per_half_hour:
            return True
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
    return gql.context(info).remembered(
        ("postcode_regions", postcode), lambda: metering_queries.regions_of_postcode(postcode=postcode)
    )


TYPE_RESOLVERS = {models.Agreement: agreement_type, models.Bill: bill_type}
