"""Rules on transactions and statements: transaction dates, supply charges and their line items,
historical statements. Checks return True when the rule fails."""

from __future__ import annotations

from datetime import date

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import as_date, as_decimal, items, present
from imports.rules.parts._group import TRANSACTION_DOCS, group

for _transaction in (
    "EnergyCharge",
    "EnergyCredit",
    "EnergyPayment",
    "EnergyRepayment",
    "EnergySupplyCharge",
):
    group(
        f"{_transaction}.transaction_date", ("transaction_in_future", c.is_future), document=TRANSACTION_DOCS
    )


def _line_total(n):
    return sum(p.amount(li.get("net_amount")) for li in items(n, "line_items") if isinstance(li, dict))


def _supply_charge_rate_bands(n, ctx):
    """Normaliser: upper-case line item rate bands so they match product bands."""
    for li in items(n, "line_items"):
        if isinstance(li, dict) and isinstance(li.get("rate_band"), str):
            li["rate_band"] = li["rate_band"].upper()
    return False


def _supply_charge_price(n, ctx):
    """Normaliser: a line item without a price per unit takes net amount / units."""
    for li in items(n, "line_items"):
        units, net = as_decimal(li.get("number_of_units")) if isinstance(li, dict) else None, None
        if isinstance(li, dict) and not present(li, "price_per_unit") and units:
            net = as_decimal(li.get("net_amount"))
            if net is not None:
                li["price_per_unit"] = str(net / units)
    return False


def _supply_charge_units(n, ctx):
    """Normaliser: standing charge units default to the number of days in the line's period."""
    for li in items(n, "line_items"):
        if isinstance(li, dict) and li.get("rate_band") == "STANDING" and not present(li, "number_of_units"):
            start, end = as_date(li.get("start_date")), as_date(li.get("end_date"))
            if start and end:
                li["number_of_units"] = str((end - start).days + 1)
    return False


def _charged_periods(transaction) -> list[tuple]:
    return [
        (
            as_date(li.get("start_date")) or date.min,
            as_date(li.get("end_date")) or date.max,
            li.get("rate_band"),
        )
        for li in items(transaction, "line_items")
        if isinstance(li, dict)
    ]


def _line_items_overlap(n, ctx):
    """A line item overlaps a period already charged for its supply point and rate band: by
    another line item of this supply charge or of another one in the request for the same supply
    point."""
    own = _charged_periods(n)
    ordered = sorted(own)
    if any(a[2] == b[2] and b[0] <= a[1] for a, b in zip(ordered, ordered[1:], strict=False)):
        return True
    charged = [
        period
        for t in _supply_charges(ctx.root)
        if t is not n and t.get("supply_point_identifier") == n.get("supply_point_identifier")
        for period in _charged_periods(t)
    ]
    return any(
        mine[2] == theirs[2] and mine[0] <= theirs[1] and theirs[0] <= mine[1]
        for mine in own
        for theirs in charged
    )


def _supply_charges(root) -> list[dict]:
    """Every supply charge transaction of a request (an account's, or a transactions request's)."""
    keys = ("current_statement_transactions", "historical_statement_transactions", "transactions")
    return [
        t
        for key in keys
        for t in items(root, key)
        if isinstance(t, dict) and t.get("type") == "SUPPLY_CHARGE"
    ]


group(
    "EnergySupplyCharge",
    (None, _supply_charge_rate_bands),
    (None, _supply_charge_price),
    (None, _supply_charge_units),
    (
        "ledger_transaction_amount_does_not_match_with_line_item_net_amount_and_tax_amount",
        lambda n, ctx: (
            _line_total(n)
            + sum(p.amount(t.get("amount")) for t in items(n, "tax_items") if isinstance(t, dict))
            != p.amount(n.get("amount"))
        ),
    ),
    (
        "supply_point_identifier_required_for_rate_specification_code",
        lambda n, ctx: (
            any(
                isinstance(li, dict) and present(li, "rate_specification_code")
                for li in items(n, "line_items")
            )
            and not present(n, "supply_point_identifier")
        ),
    ),
    ("line_items_overlap_already_charged_period", _line_items_overlap),
    document=TRANSACTION_DOCS,
)
group(
    "EnergySupplyCharge.product_code",
    ("product_code_does_not_exist", lambda v, ctx, parent: v not in ctx.catalogue.products),
    document=TRANSACTION_DOCS,
)
group(
    "LineItem",
    ("start_date_later_than_end_date", c.later("start_date", "end_date")),
    (
        "incorrect_line_item_net_amount",
        lambda n, ctx: (
            present(n, "price_per_unit")
            and as_decimal(n.get("number_of_units")) is not None
            and as_decimal(n.get("net_amount")) is not None
            and abs(
                as_decimal(n["price_per_unit"]) * as_decimal(n["number_of_units"])
                - as_decimal(n["net_amount"])
            )
            > as_decimal("0.01")
        ),
    ),
    (
        "conflicting_rate_band_specification",
        lambda n, ctx: (
            sum(
                present(n, k)
                for k in ("rate_band", "rate_specification_code", "time_series_specification_code")
            )
            != 1
        ),
    ),
    document=TRANSACTION_DOCS,
)
group(
    "LineItem.units",
    ("line_item_units_must_be_two_values", lambda v, ctx, parent: len(v) != 2),
    document=TRANSACTION_DOCS,
)
group(
    "Statement",
    ("missing_statement_path_or_pdf_context", c.neither("statement_path", "pdf_context")),
    ("received_statement_path_and_pdf_context", c.both("statement_path", "pdf_context")),
    document=(base.ACCOUNT, base.HISTORICAL_STATEMENTS),
)
group(
    "Statement.statement_path",
    ("path_does_not_exist_in_file_store", c.path_not_in_file_store),
    document=(base.ACCOUNT, base.HISTORICAL_STATEMENTS),
)
