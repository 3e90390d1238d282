"""Item 6 of issue 13: every rule's documented condition from both sides. For each rule of the
registry, the cases of `rule_conditions` make it fail where its condition holds and leave it silent
where its condition says so (a boundary, a stated exemption, the near miss); and the silent cases
are shown to reach the rule (forced to fail, the rule reports there), so none is silent only because
the rule never ran. Validation only: no database, no HTTP."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from imports import validation
from imports.rules import REGISTRY, base
from tests.imports import payloads as P
from tests.imports import rule_cases_parts, rule_conditions
from tests.imports.rule_harness import outcome

CHECKING_RULES = [rule for rule in REGISTRY.rules if rule.error_code]
NORMALISERS = [rule for rule in REGISTRY.rules if not rule.error_code]
CONDITIONS = {(rule.group, rule.order): rule_conditions.condition(rule) for rule in CHECKING_RULES}


def _reported(rule, mutate) -> bool:
    attr, failures = outcome(rule, mutate)
    return (attr, rule.error_code) in {(f.attr, f.code) for f in failures}


def _reaches(rule, mutate) -> bool:
    """Whether the rule runs on its node in this case: forced to fail, it reports there."""
    check = rule.check
    object.__setattr__(rule, "check", _always_fails(rule))
    try:
        return _reported(rule, mutate)
    finally:
        object.__setattr__(rule, "check", check)


def _always_fails(rule):
    return (lambda node, ctx: True) if rule.field is None else (lambda value, ctx, parent=None: True)


class TestEachRuleCondition:
    @pytest.mark.parametrize("rule", CHECKING_RULES, ids=lambda r: f"{r.group}#{r.order}:{r.error_code}")
    def test_fails_where_its_condition_holds_and_is_silent_where_it_says_so(self, rule):
        condition = CONDITIONS[(rule.group, rule.order)]
        never_fails = (rule.group, rule.order) in rule_cases_parts.NEVER_FAIL

        fired = [_reported(rule, mutate) for mutate in condition.fires]
        silent = [not _reported(rule, mutate) for mutate in condition.silent]

        assert fired == [not never_fails] * len(fired), condition.source
        assert all(silent), (condition.source, silent)
        assert any(_reaches(rule, mutate) for mutate in condition.silent), "no silent case reaches the rule"


class TestTheAudit:
    def test_covers_every_rule_of_the_contract_and_every_project_rule(self):
        documented = [rule for rule in REGISTRY.rules if rule.is_documented]

        assert len(documented) == 554
        assert set(CONDITIONS) == {(rule.group, rule.order) for rule in CHECKING_RULES}

    def test_generates_what_the_descriptions_make_machine_readable(self):
        sources = Counter(
            "generated" if c.source.startswith("generated") else "hand-written" for c in CONDITIONS.values()
        )

        assert sources["generated"] >= 80
        assert sources["generated"] + sources["hand-written"] == len(CHECKING_RULES)


def _normalised(data: dict) -> dict:
    normalised, _ = validation.validate(
        data,
        document=base.ACCOUNT,
        supplier=base.SupplierConfig(code="EDF"),
        now=P.NOW,
        catalogue=P.test_catalogue(),
    )
    return normalised


def _supply_charge(**line) -> dict:
    data = P.gb_account()
    data["current_statement_transactions"].append(
        {
            "type": "SUPPLY_CHARGE",
            "transaction_id": "SC-1",
            "amount": "6.00",
            "product_code": "VAR-22-11-01",
            "transaction_date": "2026-06-05",
            "line_items": [
                {"start_date": "2026-06-01", "end_date": "2026-06-03", "net_amount": "6.00", **line}
            ],
        }
    )
    return data


class TestEachNormaliserCondition:
    """The four rules without an error code never fail; each changes the payload exactly where its
    description says."""

    def test_never_fail(self):
        assert NORMALISERS and all(rule.error_code is None for rule in NORMALISERS)

    def test_occupier_billing_address_is_derived_only_from_a_single_supply_address(self):
        occupier = P.gb_account(unknown_occupier=True, customers=[])
        for key in ("billing_address1", "billing_postcode"):
            occupier.pop(key)
        with_billing_address = dict(copy.deepcopy(occupier), billing_address1="9 Other Road")
        two_addresses = copy.deepcopy(occupier)
        two_addresses["supply_addresses"].append(
            dict(occupier["supply_addresses"][0], supply_postcode="SW1A 1AA")
        )

        assert _normalised(occupier)["billing_address1"] == "123 Fake Street"
        assert _normalised(with_billing_address)["billing_address1"] == "9 Other Road"
        assert "billing_address1" not in _normalised(two_addresses)

    def test_rate_bands_are_upper_cased(self):
        line = _normalised(_supply_charge(rate_band="standard", number_of_units="3"))[
            "current_statement_transactions"
        ][1]

        assert line["line_items"][0]["rate_band"] == "STANDARD"

    def test_a_missing_price_per_unit_is_derived_and_a_given_one_kept(self):
        derived = _normalised(_supply_charge(rate_band="STANDARD", number_of_units="3"))
        given = _normalised(_supply_charge(rate_band="STANDARD", number_of_units="3", price_per_unit="2.5"))

        assert derived["current_statement_transactions"][1]["line_items"][0]["price_per_unit"] == "2.00"
        assert given["current_statement_transactions"][1]["line_items"][0]["price_per_unit"] == "2.5"

    def test_standing_charge_units_default_to_the_days_of_the_period_only_for_standing_charges(self):
        standing = _normalised(_supply_charge(rate_band="STANDING"))
        unit = _normalised(_supply_charge(rate_band="STANDARD"))

        assert standing["current_statement_transactions"][1]["line_items"][0]["number_of_units"] == "3"
        assert "number_of_units" not in unit["current_statement_transactions"][1]["line_items"][0]
