"""Account-level checks on transactions and statements: current and historical transactions,
statement dates, balances, billing document identifiers and vouchers. Each check returns True when the rule fails."""

from __future__ import annotations

from datetime import date

from imports.rules import base
from imports.rules import payload as p
from imports.rules.base import as_date, items, present


def _supply_charge_not_covered(a, ctx):
    for transaction in p.all_transactions(a, ctx):
        if transaction.get("type") != "SUPPLY_CHARGE":
            continue
        lines = [li for li in items(transaction, "line_items") if isinstance(li, dict)]
        starts = [as_date(li.get("start_date")) for li in lines if as_date(li.get("start_date"))]
        ends = [as_date(li.get("end_date")) for li in lines if as_date(li.get("end_date"))]
        if not starts or not ends:
            continue
        first, last = min(starts), max(ends)
        product = transaction.get("product_code")
        point = transaction.get("supply_point_identifier")
        covering = [
            ag
            for mp, ag in p.agreements(a, ctx)
            if (point is None or mp.get("identifier") == point)
            and (
                p.tariff(ctx, ag.get("tariff_code")) is None
                or p.tariff(ctx, ag.get("tariff_code")).product_code == product
            )
            and p.covers(ag, first)
            and (p.agreement_period(ag)[1] is None or p.agreement_period(ag)[1] > last)
        ]
        if len(covering) != 1:
            return True
    return False


def _historical_period_end_in_future(a, ctx):
    dates = [as_date(t.get("transaction_date")) for t in p.historical_transactions(a, ctx)]
    end = as_date(a.get("last_statement_closing_date")) or max((d for d in dates if d), default=None)
    return end is not None and end > ctx.today


def _billing_document_identifier_missing(a, ctx):
    historical = p.historical_transactions(a, ctx)
    with_id = [t for t in historical if present(t, "billing_document_identifier")]
    return (
        ctx.catalogue.billing_document_identifiers_enabled
        and bool(with_id)
        and len(with_id) != len(historical)
    )


def _billing_document_identifier_flag_disabled(a, ctx):
    return not ctx.catalogue.billing_document_identifiers_enabled and any(
        present(t, "billing_document_identifier") for t in p.historical_transactions(a, ctx)
    )


def _billing_document_identifier_on_current(a, ctx):
    return any(present(t, "billing_document_identifier") for t in p.current_transactions(a, ctx))


def _billing_document_identifier_mismatch(a, ctx):
    values = {
        t.get("billing_document_identifier")
        for t in p.historical_transactions(a, ctx)
        if present(t, "billing_document_identifier")
    }
    return len(values) > 1


def _transactions_by_id(a, ctx):
    return {t.get("transaction_id"): t for t in p.all_transactions(a, ctx)}


def _voucher_sum(a, ctx):
    vouchers = items(a, "vouchers")
    if not vouchers:
        return False
    by_id = _transactions_by_id(a, ctx)
    for voucher in vouchers:
        if not isinstance(voucher, dict):
            continue
        value = p.amount(voucher.get("value")) or p.amount(
            (by_id.get(voucher.get("charge_transaction_id")) or {}).get("amount")
        )
        redeemed = sum(
            p.amount((by_id.get(r.get("credit_transaction_id")) or {}).get("amount"))
            for r in items(voucher, "voucher_redemptions")
            if isinstance(r, dict)
        )
        if redeemed > value:
            return True
    return False


def _voucher_charge_missing(a, ctx):
    if not items(a, "vouchers"):
        return False
    by_id = _transactions_by_id(a, ctx)
    return any(
        isinstance(v, dict) and (by_id.get(v.get("charge_transaction_id")) or {}).get("type") != "CHARGE"
        for v in items(a, "vouchers")
    )


def _voucher_credit_missing(a, ctx):
    if not items(a, "vouchers"):
        return False
    by_id = _transactions_by_id(a, ctx)
    return any(
        isinstance(r, dict) and (by_id.get(r.get("credit_transaction_id")) or {}).get("type") != "CREDIT"
        for v in items(a, "vouchers")
        if isinstance(v, dict)
        for r in items(v, "voucher_redemptions")
    )


def _historical_without_dates(a, ctx):
    """Historical transactions need a closing date, or a last billed to date (the account's or a
    supply point's) the closing date is inferred from."""
    return bool(p.historical_transactions(a, ctx)) and p.statement_closing(a, ctx) is None


def _duplicate_transaction_ids(a, ctx):
    return base.duplicates(
        t.get("transaction_id") for t in p.all_transactions(a, ctx) if t.get("transaction_id")
    )


def _missing_transaction_id(a, ctx):
    return any(not present(t, "transaction_id") for t in p.all_transactions(a, ctx))


def _current_before_opening(*, without_vends: bool):
    """Current transactions dated before the current statement opens (one day after the closing
    date, or the earliest last billed to date); GB leaves prepay vend transactions out."""

    def check(a, ctx):
        opening = p.current_statement_opening(a, ctx)
        return opening is not None and any(
            (as_date(t.get("transaction_date")) or date.max) < opening
            for t in p.current_transactions(a, ctx)
            if not (without_vends and p.is_prepay_vend(t))
        )

    return check


def _current_before_last_billed(a, ctx):
    """Current transactions dated before a last billed to date (account, supply point, meter or
    register level)."""
    billed = p.billed_dates(a, ctx)
    if not billed:
        return False
    latest = max(billed)
    return any(
        (as_date(t.get("transaction_date")) or date.max) < latest for t in p.current_transactions(a, ctx)
    )


def _historical_after_current(a, ctx):
    historical = [as_date(t.get("transaction_date")) for t in p.historical_transactions(a, ctx)]
    current = [as_date(t.get("transaction_date")) for t in p.current_transactions(a, ctx)]
    historical, current = [d for d in historical if d], [d for d in current if d]
    return bool(historical and current) and max(historical) > min(current)


def _historical_after_closing(a, ctx):
    closing = p.statement_closing(a, ctx)
    return closing is not None and any(
        (as_date(t.get("transaction_date")) or date.min) > closing for t in p.historical_transactions(a, ctx)
    )


def _issued_before_closing(a, ctx):
    issued = as_date(a.get("last_statement_issue_date"))
    closing = p.statement_closing(a, ctx)
    return issued is not None and closing is not None and issued < closing


def _signed(transaction) -> int:
    value = p.amount(transaction.get("amount"))
    return -value if transaction.get("type") in {"CHARGE", "SUPPLY_CHARGE", "REPAYMENT"} else value


def _balance_mismatch(*, without_vends: bool):
    """The last statement balance plus the current transactions (GB: prepay vends left out) is not
    the transfer balance."""

    def check(a, ctx):
        if a.get("transfer_balance") is None:
            return False
        current = [t for t in p.current_transactions(a, ctx) if not (without_vends and p.is_prepay_vend(t))]
        total = p.amount(a.get("last_statement_balance")) + sum(_signed(t) for t in current)
        return total != p.amount(a.get("transfer_balance"))

    return check


def _historical_balance_mismatch(*, without_vends: bool):
    """The historical transactions (GB: prepay vends left out) do not sum to the last statement
    balance."""

    def check(a, ctx):
        historical = [
            t for t in p.historical_transactions(a, ctx) if not (without_vends and p.is_prepay_vend(t))
        ]
        if not historical or a.get("last_statement_balance") is None:
            return False
        return sum(_signed(t) for t in historical) != p.amount(a.get("last_statement_balance"))

    return check


CHECKS = {
    "supply_charge_line_items_not_covered_by_single_agreement": _supply_charge_not_covered,
    "historical_statement_period_end_in_future": _historical_period_end_in_future,
    "historical_statement_billing_document_identifier_missing": _billing_document_identifier_missing,
    "historical_statement_billing_document_identifier_not_allowed_when_feature_flag_disabled": _billing_document_identifier_flag_disabled,
    "billing_document_identifier_not_allowed_for_current_statement_transactions": _billing_document_identifier_on_current,
    "historical_statement_billing_document_identifier_mismatch": _billing_document_identifier_mismatch,
    "voucher_transactions_sum_greater_than_voucher_value": _voucher_sum,
    "voucher_charge_transaction_id_not_found": _voucher_charge_missing,
    "voucher_redemption_credit_transaction_id_not_found": _voucher_credit_missing,
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date": _historical_without_dates,
    "duplicate_transaction_ids": _duplicate_transaction_ids,
    "missing_transaction_id": _missing_transaction_id,
    "current_statement_transaction_before_current_statement_opening_date": _current_before_opening(
        without_vends=False
    ),
    "current_statement_transaction_before_last_billed_to_date": _current_before_last_billed,
    "historical_statement_transaction_after_current_statement_transaction": _historical_after_current,
    "historical_statement_transaction_after_last_statement_closing_date": _historical_after_closing,
    "last_statement_issued_before_closing_date": _issued_before_closing,
    "balance_mismatch_on_transfer_balance": _balance_mismatch(without_vends=False),
    "historical_statement_transactions_balance_mismatch": _historical_balance_mismatch(without_vends=False),
}
# The GB (EnergyAccount) descriptions of these rules leave prepay vend transactions out; the JP
# seed's do not.
GB_CHECKS = {
    "current_statement_transaction_before_current_statement_opening_date": _current_before_opening(
        without_vends=True
    ),
    "balance_mismatch_on_transfer_balance": _balance_mismatch(without_vends=True),
    "historical_statement_transactions_balance_mismatch": _historical_balance_mismatch(without_vends=True),
}
