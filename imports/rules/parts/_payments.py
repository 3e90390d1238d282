"""Rules on money: payment instructions, schedules and plans, payment adequacy, debts, deposits,
contribution schemes, ledgers, dunning and warm home discount. Checks return True when the rule fails."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import as_date, as_decimal, items, present
from imports.rules.parts._group import group


def _contribution_periods(n):
    return [
        (as_date(x.get("start_date")), as_date(x.get("end_date")))
        for x in items(n, "periods")
        if isinstance(x, dict)
    ]


group(
    "ContributionSchemeAgreement",
    ("start_date_later_than_end_date", c.later("active_period_start_date", "active_period_end_date")),
    (
        "invalid_contribution_period_end_date",
        lambda n, ctx: (
            as_date(n.get("active_period_end_date")) is not None
            and any(end and end > as_date(n["active_period_end_date"]) for _, end in _contribution_periods(n))
        ),
    ),
    (
        "invalid_contribution_period_start_date",
        lambda n, ctx: any(
            start
            and as_date(n.get("active_period_start_date"))
            and start < as_date(n["active_period_start_date"])
            for start, _ in _contribution_periods(n)
        ),
    ),
    (
        "overlapping_contribution_periods",
        lambda n, ctx: c.overlapping("start_date", "end_date")(items(n, "periods"), ctx),
    ),
)
group("ContributionSchemeAgreement.scheme", ("invalid_contribution_scheme", c.not_in("contribution_schemes")))
group("ContributionSchemePeriod", ("start_date_later_than_end_date", c.later("start_date", "end_date")))
group(
    "Debt",
    (
        "debt_collection_agency_does_not_exist",
        lambda n, ctx: (
            present(n, "agency_name") and n["agency_name"] not in ctx.catalogue.debt_collection_agencies
        ),
    ),
    (
        "debt_collection_agency_name_required",
        lambda n, ctx: present(n, "start_date") and not present(n, "agency_name"),
    ),
)
group(
    "Debt.cais_reference",
    (
        "cais_reference_already_in_use_on_another_account",
        lambda v, ctx, parent: v in ctx.lookup.get("existing_cais_references", ()),
    ),
    ("cais_references_not_supported", lambda v, ctx, parent: not ctx.catalogue.cais_references_supported),
)
group(
    "DepositAgreement",
    (
        "fulfilled_at_greater_than_last_interest_date",
        lambda n, ctx: (
            present(n, "fulfilled_at")
            and present(n, "last_interest_date")
            and as_date(n["fulfilled_at"]) > as_date(n["last_interest_date"])
        ),
    ),
    (
        "last_interest_date_not_allowed",
        lambda n, ctx: present(n, "last_interest_date") and not present(n, "fulfilled_at"),
    ),
)
group("DunningPath.start_date", ("date_in_past", c.is_past))
group(
    "EnergyAccount.contribution_agreements",
    (
        "overlapping_contribution_agreements",
        lambda v, ctx, parent: any(
            c.overlapping("active_period_start_date", "active_period_end_date")(
                [x for x in v if isinstance(x, dict) and x.get("scheme") == scheme], ctx
            )
            for scheme in {x.get("scheme") for x in v if isinstance(x, dict)}
        ),
    ),
)
group(
    "EnergyAccount.deposit_agreements",
    (
        "multiple_active_deposits_not_allowed",
        lambda v, ctx, parent: (
            sum(1 for x in v if isinstance(x, dict) and not present(x, "fulfilled_at"))
            > ctx.catalogue.max_active_deposits
        ),
    ),
)
group(
    "EnergyAccount.dunning_path",
    (
        "dunning_path_not_found",
        lambda v, ctx, parent: (v or {}).get("path_name") not in ctx.catalogue.dunning_paths,
    ),
)
group("EnergyAccount.last_payment_review_date", ("last_payment_review_date_is_future_dated", c.is_future))
group(
    "EnergyAccount.payment_instructions",
    (
        "payment_instructions_ledger_code_uniformity_failed",
        lambda v, ctx, parent: len({present(x, "ledger_code") for x in v if isinstance(x, dict)}) > 1,
    ),
)


def _schedules_by_ledger(v):
    grouped: dict = {}
    for x in v:
        if isinstance(x, dict) and not x.get("is_debt_repayment_plan"):
            grouped.setdefault(x.get("ledger_code"), []).append(x)
    return grouped.values()


group(
    "EnergyAccount.payment_schedules",
    (
        "payment_schedules_ledger_code_uniformity_failed",
        lambda v, ctx, parent: len({present(x, "ledger_code") for x in v if isinstance(x, dict)}) > 1,
    ),
    (
        "multiple_open_ended_payment_schedules",
        lambda v, ctx, parent: any(
            c.multiple_open_ended("end_date")(g, ctx) for g in _schedules_by_ledger(v)
        ),
    ),
    (
        "payment_schedule_date_overlaps",
        lambda v, ctx, parent: any(
            base.duplicates(x.get("start_date") for x in g if present(x, "start_date"))
            for g in _schedules_by_ledger(v)
        ),
    ),
    (
        "payment_schedule_date_overlaps",
        lambda v, ctx, parent: any(
            c.overlapping("start_date", "end_date")(g, ctx) for g in _schedules_by_ledger(v)
        ),
    ),
    (
        "payment_schedule_date_gaps",
        lambda v, ctx, parent: any(_future_gap(g, ctx) for g in _schedules_by_ledger(v)),
    ),
)


def _future_gap(schedules, ctx):
    periods = sorted(
        (as_date(x.get("start_date")) or date.min, as_date(x.get("end_date"))) for x in schedules
    )
    return any(
        next_start > ctx.today and previous_end is not None and next_start > previous_end
        for (_, previous_end), (next_start, _) in zip(periods, periods[1:], strict=False)
    )


group(
    "EnergyFit",
    (
        "payment_instruction_details_incomplete",
        lambda n, ctx: (
            n.get("payment_method") == "BACS"
            and not (present(n, "vendor_name") and present(n, "instruction_reference"))
        ),
    ),
)
group(
    "EnergyWarmHomeDiscount.tax_year",
    (
        "incorrect_format_for_tax_year",
        lambda v, ctx, parent: (
            not (
                isinstance(v, str)
                and re.fullmatch(r"[0-9]{4}/[0-9]{2}", v)
                and int(v[2:4]) + 1 == int(v[5:7]) % 100 + (100 if v[5:7] == "00" else 0)
            )
        ),
    ),
)
group("Ledger.ledger_code", ("ledger_code_does_not_exist", c.not_in("ledger_codes")))
group(
    "PaymentAdequacyChange",
    (
        "payment_adequacy_invalid_dates",
        lambda n, ctx: (
            present(n, "applied_at")
            and (base.as_datetime(n["applied_at"]) or 0) < (base.as_datetime(n.get("created_at")) or 0)
        ),
    ),
    (
        "payment_adequacy_missing_reason",
        lambda n, ctx: not present(n, "applied_at") and not present(n, "should_not_be_applied_reason"),
    ),
    (
        "payment_adequacy_should_not_have_been_applied",
        lambda n, ctx: present(n, "applied_at") and present(n, "should_not_be_applied_reason"),
    ),
    (
        "payment_adequacy_monthly_charges_unequal",
        lambda n, ctx: (
            (n.get("average_monthly_charge") or 0)
            != (n.get("average_monthly_elec_charge") or 0) + (n.get("average_monthly_gas_charge") or 0)
        ),
    ),
    (
        "payment_adequacy_balance_adjustment_mismatch",
        lambda n, ctx: (
            (n.get("balance_adjustment") or 0) != 0 and _monthly_difference(n) != n.get("balance_adjustment")
        ),
    ),
    (
        "payment_adequacy_new_direct_debit_amount_mismatch",
        lambda n, ctx: (
            not (
                min(n.get("existing_direct_debit_payment") or 0, _max_dd(n))
                <= (n.get("new_direct_debit") or 0)
                <= max(n.get("existing_direct_debit_payment") or 0, _max_dd(n))
            )
        ),
    ),
)


def _monthly_difference(n) -> int:
    """A twelfth of (target balance - current balance), rounded half up: money is never a float."""
    difference = Decimal((n.get("target_balance") or 0) - (n.get("current_balance") or 0))
    return int((difference / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _max_dd(n):
    return (n.get("average_monthly_charge") or 0) + (n.get("balance_adjustment") or 0)


group("PaymentAdequacyChange.applied_at", ("payment_adequacy_invalid_dates", c.is_future))
group("PaymentAdequacyChange.created_at", ("payment_adequacy_invalid_dates", c.is_future))
group(
    "PaymentInstruction",
    (
        "incomplete_payments_not_enabled",
        lambda n, ctx: n.get("type") == "CUSTOM" and not ctx.catalogue.incomplete_payments_enabled,
    ),
)
group("PaymentInstruction.ledger_code", ("ledger_code_does_not_exist", c.not_in("ledger_codes")))
group(
    "PaymentPlan.payments",
    (
        "duplicate_payment_component_combinations",
        lambda v, ctx, parent: base.duplicates(
            (x.get("payment_date"), comp.get("component_type"))
            for x in v
            if isinstance(x, dict)
            for comp in items(x, "amount_components")
            if isinstance(comp, dict)
        ),
    ),
)
group(
    "PaymentPlan.strategy_name", ("payment_plan_strategy_does_not_exist", c.not_in("payment_plan_strategies"))
)
group(
    "PaymentPlanPayment",
    (
        "payment_plan_payment_components_do_not_sum_to_total",
        lambda n, ctx: (
            sum(comp.get("amount") or 0 for comp in items(n, "amount_components") if isinstance(comp, dict))
            != n.get("total_amount")
        ),
    ),
)


def _is_fixed(n):
    """A fixed payment schedule: "a payment schedule with a trigger that is not type BILL"."""
    return n.get("trigger") != "BILL"


def _is_regular(n):
    """A fixed regular payment schedule: "a payment schedule with a trigger of type REGULAR"."""
    return n.get("trigger") == "REGULAR"


def _instalments(n):
    return [x for x in items(n, "instalments") if isinstance(x, dict)]


group(
    "PaymentSchedule",
    ("start_date_later_than_end_date", c.later("start_date", "end_date")),
    (
        "zero_payment_schedule_amount",
        lambda n, ctx: _is_fixed(n) and not as_decimal(n.get("amount")),
    ),
    (
        "fixed_payment_schedule_missing_frequency",
        lambda n, ctx: _is_regular(n) and not present(n, "frequency"),
    ),
    (
        "balance_triggered_schedule_missing_threshold",
        lambda n, ctx: n.get("trigger") == "BALANCE" and not present(n, "balance_threshold"),
    ),
    (
        "debt_repayment_missing_end_date",
        lambda n, ctx: present(n, "debt_repayment_element") and not present(n, "debt_repayment_end_date"),
    ),
    (
        "debt_repayment_end_date_after_schedule_end_date",
        lambda n, ctx: (
            present(n, "debt_repayment_end_date")
            and present(n, "end_date")
            and as_date(n["debt_repayment_end_date"]) > as_date(n["end_date"])
        ),
    ),
    (
        "invalid_payment_schedule_to_exempt_from_payment_adequacy",
        lambda n, ctx: (
            n.get("exempt_from_payment_adequacy") is True and n.get("trigger") not in (None, "REGULAR")
        ),
    ),
    (
        "fixed_payment_schedule_missing_day_of_month",
        lambda n, ctx: _is_regular(n) and not present(n, "day_of_month"),
    ),
    ("payment_instalments_not_provided", lambda n, ctx: n.get("trigger") == "PLAN" and not _instalments(n)),
    (
        "payment_instalments_do_not_sum_to_total",
        lambda n, ctx: (
            bool(_instalments(n))
            and present(n, "amount")
            and sum(p.amount(x.get("amount")) for x in _instalments(n)) != p.amount(n["amount"])
        ),
    ),
    (
        "payment_instalments_date_outside_of_payment_schedule_active_period",
        lambda n, ctx: any(
            (as_date(x.get("payment_date")) or date.min) < (as_date(n.get("start_date")) or date.min)
            or (
                present(n, "end_date")
                and (as_date(x.get("payment_date")) or date.min) > as_date(n["end_date"])
            )
            for x in _instalments(n)
        ),
    ),
    (
        "payment_schedule_delay_must_have_bill_trigger",
        lambda n, ctx: present(n, "delay_strategy") and n.get("trigger") != "BILL",
    ),
    (
        "payment_schedule_delay_strategy_missing_delay_days",
        lambda n, ctx: present(n, "delay_strategy") and n.get("delay_days") is None,
    ),
    (
        "fixed_payment_schedule_amount_out_of_range",
        lambda n, ctx: (
            _is_fixed(n)
            and present(n, "amount")
            and as_decimal(n["amount"]) != 0
            and not (
                ctx.catalogue.fixed_payment_amount_range[0]
                <= as_decimal(n["amount"])
                <= ctx.catalogue.fixed_payment_amount_range[1]
            )
        ),
    ),
    (
        "standalone_payment_request_method_code_unexpected",
        lambda n, ctx: present(n, "standalone_payment_request_method_code") and n.get("means") != "MANUAL",
    ),
    (
        "standalone_payment_request_method_code_invalid",
        lambda n, ctx: (
            present(n, "standalone_payment_request_method_code")
            and n["standalone_payment_request_method_code"]
            not in ctx.catalogue.standalone_payment_request_methods
        ),
    ),
)
group(
    "PaymentSchedule.day_of_month",
    (
        "invalid_payment_day_for_payment_schedule",
        lambda v, ctx, parent: (
            not (ctx.catalogue.payment_day_range[0] <= v <= ctx.catalogue.payment_day_range[1])
        ),
    ),
)
group(
    "PaymentSchedule.instalments",
    ("children_with_duplicate_values", c.duplicate_children("payment_date", "payment_type")),
)
group("PaymentSchedule.ledger_code", ("ledger_code_does_not_exist", c.not_in("ledger_codes")))
