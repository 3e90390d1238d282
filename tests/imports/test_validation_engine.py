"""The validation engine's own guarantees, beyond what each rule reports: a run is repeatable and
never touches the caller's document, and the fast schema pass answers exactly like jsonschema."""

from __future__ import annotations

import copy
import random

import fastjsonschema
import pytest

from imports import validation
from imports.rules import base
from tests.imports import payloads as P


def _validate(data, *, territory="GB", variant="v1"):
    return validation.validate(
        data,
        document=base.ACCOUNT,
        supplier=base.SupplierConfig(code="EDF", territory=territory),
        now=P.NOW,
        catalogue=P.test_catalogue(),
        variant=variant,
    )


def _normalised_and_failing() -> dict:
    """A GB business payload that normalisers change (family name, supply charge line items) and
    several rules refuse (balance, phone number, supply charge not covered)."""
    data = P.gb_account(account_type="BUSINESS", account_billing_options={"use_industry_billing": True})
    data["customers"][0].pop("family_name")
    data["customers"][0]["mobile"] = "12"
    data["current_statement_transactions"].append(
        {
            "type": "SUPPLY_CHARGE",
            "transaction_id": "SC-1",
            "amount": "0.00",
            "product_code": "VAR-22-11-01",
            "transaction_date": "2026-06-05",
            "line_items": [
                {
                    "start_date": "2026-06-01",
                    "end_date": "2026-06-03",
                    "net_amount": "6.00",
                    "number_of_units": "3",
                    "rate_band": "standard",
                }
            ],
        }
    )
    data["transfer_balance"] = "99.00"
    return data


def _mutated(data: dict, rng: random.Random) -> dict:
    """`data` with one value somewhere replaced by a value of another kind, or one key dropped."""
    data = copy.deepcopy(data)
    nodes = [data]
    places = []
    while nodes:
        node = nodes.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            places.append((node, key))
            if isinstance(node[key], dict | list):
                nodes.append(node[key])
    node, key = rng.choice(places)
    replacement = rng.choice([None, "", "NOT_A_CHOICE", "standard", -1, 2.5, True, [], {}, "2026-13-45"])
    if replacement == "" and isinstance(node, dict):
        del node[key]
    else:
        node[key] = replacement
    return data


class TestValidatingTwice:
    @pytest.mark.parametrize(
        ("territory", "variant"), [("GB", "v1"), ("GB", "v2"), ("JP", "v1"), ("JP", "v2")]
    )
    def test_gives_identical_results_and_leaves_the_reference_input_untouched(self, territory, variant):
        data = P.jp_account() if territory == "JP" else P.gb_account()
        before = copy.deepcopy(data)

        first = _validate(data, territory=territory, variant=variant)
        second = _validate(data, territory=territory, variant=variant)

        assert first == second
        assert first[1] == []
        assert data == before

    def test_gives_identical_failures_and_normalisation_without_touching_the_input(self):
        data = _normalised_and_failing()
        before = copy.deepcopy(data)

        normalised, failures = _validate(data)
        again_normalised, again_failures = _validate(data)

        assert (again_normalised, again_failures) == (normalised, failures)
        assert {"balance_mismatch_on_transfer_balance", "invalid_phone_number"} <= {f.code for f in failures}
        assert normalised["customers"][0]["family_name"] == "Business"
        assert normalised["current_statement_transactions"][-1]["line_items"][0]["rate_band"] == "STANDARD"
        assert data == before
        assert "family_name" not in data["customers"][0]

    def test_returns_a_document_the_caller_may_change_without_affecting_later_runs(self):
        data = P.gb_account()
        normalised, _ = _validate(data)

        normalised["customers"][0]["given_name"] = "Changed"
        normalised["supply_addresses"].clear()

        assert _validate(data) == (P.gb_account(), [])


class TestFastSchemaPass:
    @pytest.mark.parametrize("territory", ["GB", "JP"])
    def test_accepts_and_refuses_exactly_what_plain_fastjsonschema_does(self, territory):
        name = validation._schema_name(base.ACCOUNT, territory)
        reference = P.jp_account() if territory == "JP" else P.gb_account()
        validation.schema_failures(reference, document=base.ACCOUNT, territory=territory)
        plain = fastjsonschema.compile(
            validation.json_schema(name), formats={"date": validation._is_calendar_date}, use_default=False
        )
        rng = random.Random(6)
        documents = [reference, _normalised_and_failing()] + [_mutated(reference, rng) for _ in range(150)]

        def verdicts(validator):
            answers = []
            for document in documents:
                try:
                    validator(document)
                    answers.append(True)
                except fastjsonschema.JsonSchemaException:
                    answers.append(False)
            return answers

        assert verdicts(validation._fast[name]) == verdicts(plain)
        assert {True, False} == set(verdicts(plain))

    @pytest.mark.parametrize(
        "transaction",
        [
            # Named CHARGE, but only a supply charge's fields: passes as the union's other branch.
            {
                "type": "CHARGE",
                "transaction_id": "SC-1",
                "amount": "1.00",
                "product_code": "VAR-22-11-01",
                "transaction_date": "2026-06-05",
                "line_items": [],
            },
            {"type": "CREDIT", "transaction_id": "C-1", "amount": "1.00", "transaction_date": "2026-06-05"},
            {"type": "NOT_A_TYPE", "transaction_id": "C-1", "amount": "1.00", "reason": "IMPORTED_CHARGE"},
            {"transaction_id": "C-1", "amount": "1.00", "transaction_date": "2026-06-05"},
            "not an object",
        ],
    )
    def test_a_union_answers_as_plain_fastjsonschema_whichever_branch_its_discriminator_names(
        self, transaction
    ):
        data = P.gb_account()
        data["current_statement_transactions"].append(transaction)
        gas = copy.deepcopy(data["supply_addresses"][0]["meter_points"][0])
        data["supply_addresses"][0]["meter_points"].append(dict(gas, supply_type="GAS"))
        plain = fastjsonschema.compile(
            validation.json_schema("EnergyAccount"),
            formats={"date": validation._is_calendar_date},
            use_default=False,
        )

        def verdict(validator):
            try:
                validator(data)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        validation.schema_failures(data, document=base.ACCOUNT, territory="GB")
        assert verdict(validation._fast["EnergyAccount"]) == verdict(plain)

    def test_refuses_a_value_outside_a_long_enum_with_its_choice_code(self):
        data = P.gb_account()
        data["current_statement_transactions"][0]["reason"] = "NOT_A_REASON"

        failures = validation.schema_failures(data, document=base.ACCOUNT, territory="GB")

        assert failures and all(f.attr.startswith("current_statement_transactions.0") for f in failures)


class TestCalendarDates:
    @pytest.mark.parametrize("value", ["2026-13-45", "2025-02-29", "1989-00-10"])
    def test_refuses_a_date_that_matches_the_pattern_but_names_no_day(self, value):
        data = P.gb_account()
        data["customers"][0]["date_of_birth"] = value

        failures = validation.schema_failures(data, document=base.ACCOUNT, territory="GB")

        assert [f.attr for f in failures] == ["customers.0.date_of_birth"]

    def test_accepts_a_leap_day(self):
        data = P.gb_account()
        data["customers"][0]["date_of_birth"] = "2024-02-29"

        assert validation.schema_failures(data, document=base.ACCOUNT, territory="GB") == []
