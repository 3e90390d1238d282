"""The account overview made ready to read: money in pounds and pence, periods as local whole days,
balances explained, and a small SVG chart of each register's consumption between readings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kernel import admin as kernel_admin
from kernel import money
from kraken import overview as overview_queries
from metering import queries as metering_queries

CHART_WIDTH, CHART_HEIGHT = 320, 72


def balance_explained(*, balance: int, currency: str) -> tuple[str, str]:
    """(headline, explanation): positive balances are in the customer's favour."""
    amount = money.format_amount(minor_units=abs(balance), currency=currency)
    if balance > 0:
        return f"{amount} in credit", f"The customer has paid {amount} more than they have been charged."
    if balance < 0:
        return f"{amount} in debt", f"The customer owes {amount}: they have been charged more than they paid."
    return "Settled", "Charges and payments cancel out: nothing is owed either way."


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    title: str


def consumption_chart(register: metering_queries.RegisterReadings, tz) -> list[Bar]:
    """One bar per interval between consecutive readings, its height the units used (register
    advance times multiplier), scaled to the chart."""
    readings = register.readings
    used = [
        (later, (later.value - earlier.value) * register.register.multiplier)
        for earlier, later in zip(readings, readings[1:], strict=False)
    ]
    if not used:
        return []
    peak = max((amount for _, amount in used), default=Decimal(0)) or Decimal(1)
    width = CHART_WIDTH // len(used)
    bars = []
    for index, (reading, amount) in enumerate(used):
        height = max(int(Decimal(CHART_HEIGHT - 2) * max(amount, Decimal(0)) / peak), 1)
        bars.append(
            Bar(
                x=index * width,
                y=CHART_HEIGHT - height,
                width=max(width - 2, 1),
                height=height,
                title=f"{amount.normalize():f} {register.register.get_unit_display()} to {reading.read_at.astimezone(tz):%-d %b %Y}",
            )
        )
    return bars


def present(overview: overview_queries.AccountOverview) -> dict:
    """The template context of the account page's overview sections."""
    account, tz = overview.account, overview.time_zone

    def amount(minor_units: int, currency: str | None = None) -> str:
        return money.format_amount(minor_units=minor_units, currency=currency or account.currency)

    def period(start, end) -> str:
        return kernel_admin.format_period(start, end, tz)

    headline, explanation = balance_explained(balance=overview.balance, currency=account.currency)
    return {
        "overview": overview,
        "balance_headline": headline,
        "balance_explanation": explanation,
        "balance_state": "credit" if overview.balance > 0 else "debt" if overview.balance < 0 else "settled",
        "ledger_rows": [
            {
                "entry": e,
                "amount": amount(e.amount, e.currency),
                "balance_after": amount(e.balance_after, e.currency),
            }
            for e in overview.ledger
        ],
        "adjustments": [
            {"adjustment": a, "amount": amount(a.amount, a.currency)} for a in overview.adjustments
        ],
        "pending_adjustments": [a for a in overview.adjustments if a.status == "PENDING_APPROVAL"],
        "bills": [
            {
                "bill": b,
                "period": period(b.period_start, b.period_end),
                "total": amount(b.total, b.currency),
                "paid": amount(b.paid, b.currency),
                "lines": [
                    {
                        "line": line,
                        "period": period(line.period_start, line.period_end),
                        "amount": amount(line.amount, b.currency),
                    }
                    for line in b.lines.all()
                ],
            }
            for b in overview.bills
        ],
        "payments": [{"payment": p, "amount": amount(p.amount, p.currency)} for p in overview.payments],
        "attempts": [
            {"attempt": a, "amount": amount(a.amount, a.currency)} for a in overview.collection_attempts
        ],
        "agreements": [
            {
                "agreement": a,
                "period": period(a.active_from, a.active_to),
                "rates": list(a.tariff.rates.all()),
            }
            for a in overview.agreements
        ],
        "meter_points": [
            {
                "meter_point": mp.meter_point,
                "registers": [
                    {"register": r, "chart": consumption_chart(r, tz), "latest": r.latest}
                    for r in mp.registers
                ],
            }
            for mp in overview.meter_points
        ],
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
    }
