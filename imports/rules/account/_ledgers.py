"""Account-level checks on ledgers and payments: ledger codes and identifiers, payment preferences,
plans and schedules. Each check returns True when the rule fails."""

from __future__ import annotations

from imports.rules import base
from imports.rules import payload as p
from imports.rules.base import items, present


def _ledger_balances_vs_transfer(a, ctx):
    ledgers = [
        lg for lg in items(a, "ledgers") if isinstance(lg, dict) and lg.get("ledger_balance") is not None
    ]
    if not ledgers:
        return False
    return sum(p.amount(lg["ledger_balance"]) for lg in ledgers) != p.amount(a.get("transfer_balance"))


def _ledger_identifiers(a):
    return {lg.get("ledger_identifier") for lg in items(a, "ledgers") if isinstance(lg, dict)}


def _invalid_preference_ledger(a, ctx):
    known = _ledger_identifiers(a)
    return (
        any(
            isinstance(pref, dict) and pref.get("ledger_identifier") not in known
            for pref in items(a, "payment_preferences")
        )
        if items(a, "payment_preferences")
        else False
    )


def _duplicate_preference_ledger(a, ctx):
    return base.duplicates(
        pref.get("ledger_identifier")
        for pref in items(a, "payment_preferences")
        if isinstance(pref, dict) and pref.get("ledger_identifier") is not None
    )


def _active_new_instruction(a, ctx):
    identifiers = {
        pi.get("instruction_identifier") for pi in items(a, "payment_instructions") if isinstance(pi, dict)
    }
    for pref in items(a, "payment_preferences"):
        if isinstance(pref, dict) and pref.get("type") == "ACTIVE_NEW":
            params = pref.get("instruction_reference_params") or {}
            if params.get("instruction_identifier") not in identifiers:
                return True
    return False


def _duplicate_ledger_codes(a, ctx):
    return base.duplicates(lg.get("ledger_code") for lg in items(a, "ledgers") if isinstance(lg, dict))


def _duplicate_ledger_identifiers(a, ctx):
    return base.duplicates(
        lg.get("identifier") for lg in items(a, "ledgers") if isinstance(lg, dict) and lg.get("identifier")
    )


def _unknown_ledger_identifiers(a, ctx):
    spins = {mp.get("identifier") for mp in p.meter_points(a, ctx)}
    return any(
        isinstance(lg, dict) and lg.get("identifier") and lg["identifier"] not in spins
        for lg in items(a, "ledgers")
    )


def _adequacy_and_review_date(a, ctx):
    return present(a, "payment_adequacy_changes") and present(a, "last_payment_review_date")


def _plan_and_schedule_same_ledger(a, ctx):
    if not items(a, "payment_plans"):
        return False
    plan_ledgers = {pl.get("ledger_code") for pl in items(a, "payment_plans") if isinstance(pl, dict)}
    return any(
        isinstance(s, dict) and s.get("ledger_code") in plan_ledgers for s in items(a, "payment_schedules")
    )


CHECKS = {
    "ledger_balances_not_equal_to_transfer_balance": _ledger_balances_vs_transfer,
    "invalid_payment_preference_ledger_identifier": _invalid_preference_ledger,
    "duplicate_ledger_in_payment_preferences": _duplicate_preference_ledger,
    "active_new_payment_preference_invalid_instruction_identifier": _active_new_instruction,
    "duplicate_ledger_entries_found": _duplicate_ledger_codes,
    "duplicate_identifiers_entries_found": _duplicate_ledger_identifiers,
    "unknown_ledger_identifiers": _unknown_ledger_identifiers,
    "payment_adequacy_changes_and_last_payment_review_date_provided": _adequacy_and_review_date,
    "payment_plan_and_payment_schedule_not_allowed_on_same_ledger": _plan_and_schedule_same_ledger,
}
