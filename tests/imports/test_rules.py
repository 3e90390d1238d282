"""The rule registry against the contract (import-validators.json), one failing case per rule, the
normalisers, and the reference payloads passing clean."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections import Counter
from datetime import datetime

import pytest

from imports import error_codes, validation
from imports.rules import REGISTRY, base
from tests.imports import payloads as P
from tests.imports import rule_cases as cases

SPEC = json.loads((base.SCHEMA_DIR / "validators.json").read_text())
LOOKUP = {"process_exists": True, "account_number": "A-1234ABCD", "statement_ids": set()}
REFERENCES = {
    base.PROCESS: {
        "import_supplier_code": "EDF",
        "external_account_number": "EXT-0001",
        "operations_team_name": "Migration",
    },
    base.TASK_PARAMS: {
        "is_dry_run": False,
        "schedule_window_start": "2026-06-15T13:00:00Z",
        "schedule_window_end": "2026-06-16T00:00:00Z",
    },
    base.HISTORICAL_STATEMENTS: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "statements": [
            {
                "statement_id": "S-1",
                "bill_period_from_date": "2026-04-01",
                "bill_period_to_date": "2026-04-30",
                "statement_path": "statements/2024/01.pdf",
            }
        ],
    },
    base.TRANSACTIONS: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "transactions": [
            {
                "type": "CHARGE",
                "transaction_id": "T-9",
                "amount": "1.00",
                "reason": "IMPORTED_CHARGE",
                "transaction_date": "2026-06-01",
            }
        ],
    },
    base.NOTES: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "notes": [{"body": "Hello", "created_at": "2026-06-01T10:00:00Z"}],
    },
    base.PAYMENT_INSTRUCTION: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "type": "DIRECT_DEBIT",
        "vendor": "STRIPE",
        "reference": "R-1",
    },
}


def reference(document: str, territory: str) -> dict:
    if document == base.ACCOUNT:
        return P.jp_account() if territory == "JP" else P.gb_account()
    return copy.deepcopy(REFERENCES[document])


def run(data, *, document, territory="GB", variant="v1", env: cases.Env | None = None, now: datetime = P.NOW):
    env = env or cases.Env(root=data, lookup=dict(LOOKUP))
    supplier = base.SupplierConfig(code="EDF", territory=territory, **env.supplier)
    catalogue = P.test_catalogue()
    if env.tariff_changes:
        available_to = datetime.fromisoformat(env.tariff_changes["available_to"] + "T00:00:00+00:00")
        catalogue = dataclasses.replace(
            catalogue,
            tariffs={
                code: dataclasses.replace(info, available_to=available_to)
                for code, info in catalogue.tariffs.items()
            },
        )
    catalogue = dataclasses.replace(catalogue, **env.catalogue)
    _, failures = validation.validate(
        data,
        document=document,
        supplier=supplier,
        now=now,
        catalogue=catalogue,
        variant=variant,
        lookup=env.lookup,
    )
    return failures


def ensure(data: dict, pattern: str, rule: base.Rule, env: cases.Env) -> tuple[tuple, dict]:
    """The first node at `pattern` that this rule applies to, created if the reference lacks it."""
    node, path = data, ()
    parts = pattern.split(".") if pattern else []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        key = part.removesuffix("[]")
        if not part.endswith("[]"):
            node = (
                node.setdefault(key, {}) if isinstance(node.get(key), dict) or key not in node else node[key]
            )
            path = (*path, key)
            continue
        children = node.get(key) if isinstance(node.get(key), list) and node.get(key) else None
        if children is None:
            children = node[key] = []
        wanted = None
        if last and rule.discriminator and rule.discriminator[0] != "enforce_business_contracts_exist":
            wanted = rule.discriminator
        elif key == "meter_points" and rule.parent_supply_type:
            wanted = ("supply_type", rule.parent_supply_type)
        position = next(
            (
                i
                for i, child in enumerate(children)
                if isinstance(child, dict) and (wanted is None or child.get(wanted[0]) == wanted[1])
            ),
            None,
        )
        if position is None:
            children.append({wanted[0]: wanted[1]} if wanted else {})
            position = len(children) - 1
        node, path = children[position], (*path, key, position)
    if rule.discriminator and rule.discriminator[0] == "enforce_business_contracts_exist":
        env.supplier["enforce_business_contracts_exist"] = rule.discriminator[1]
    return path, node


def break_rule(rule: base.Rule):
    document = base.ACCOUNT if base.ACCOUNT in rule.locations else next(iter(rule.locations))
    territory = "JP" if "GB" not in rule.territories else "GB"
    data = reference(document, territory)
    env = cases.Env(root=data, lookup=dict(LOOKUP))
    path, node = ensure(data, rule.locations[document][0], rule, env)
    specific = cases.SPECIFIC.get((rule.group, rule.order))
    if rule.group == "EnergyAccount" and rule.order == 68:
        specific = lambda n, e: cases.mp(e)["agreements"][0].update(  # noqa: E731
            bespoke_tariff_rates=[{"registers": [{"register_id": "1"}], "standing_charge": "1"}]
        )
    if specific:
        specific(node, env)
    elif rule.field:
        cases.FIELD_ENV.get(rule.error_code, lambda e: None)(env)
        node[rule.field] = copy.deepcopy(cases.field_value(rule))
    elif rule.locations[document][0] == "":
        cases.ROOT[rule.error_code](node, env)
    else:
        cases.period_case(rule)(node, env)
    attr = (
        base.attr_of((*path, rule.field or base.NON_FIELD_ERRORS))
        if (path or rule.field)
        else base.NON_FIELD_ERRORS
    )
    failures = run(data, document=document, territory=territory, variant=rule.variants[0], env=env)
    return attr, failures


CHECKING_RULES = [rule for rule in REGISTRY.rules if rule.error_code]


class TestRegistry:
    def test_covers_the_contract_one_to_one_by_group_order_and_code(self):
        declared = sorted(
            (rule.group, rule.order, rule.error_code or "") for rule in REGISTRY.rules if rule.is_documented
        )
        documented = sorted(
            (group["schema"], rule["order"], rule["error_code"] or "")
            for group in SPEC["groups"]
            for rule in group["rules"]
        )

        assert declared == documented

    def test_has_the_documented_rule_count_of_every_group(self):
        counts = Counter(rule.group for rule in REGISTRY.rules if rule.is_documented)

        assert counts == Counter(SPEC["rule_counts_per_group"])

    def test_uses_only_documented_error_codes(self):
        assert {rule.error_code for rule in CHECKING_RULES if rule.is_documented} == set(SPEC["error_codes"])

    def test_gives_project_rules_codes_of_their_own_with_a_description(self):
        project = [rule for rule in REGISTRY.rules if not rule.is_documented]

        assert {rule.error_code for rule in project} == {
            error_codes.MPXN_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT,
            error_codes.PAYMENT_INSTRUCTION_REFERENCE_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT,
        }
        assert not {rule.error_code for rule in project} & set(SPEC["error_codes"])
        assert all(rule.name and rule.description for rule in project)

    def test_does_not_implement_superseded_codes(self):
        assert not {rule.error_code for rule in REGISTRY.rules} & set(SPEC["seed_superseded"]["removed"])

    def test_gives_jp_suppliers_the_seed_groups_instead_of_their_gb_counterparts(self):
        jp_groups = {
            rule.group for rule in REGISTRY.plan(document=base.ACCOUNT, territory="JP", variant="v1")
        }
        gb_groups = {
            rule.group for rule in REGISTRY.plan(document=base.ACCOUNT, territory="GB", variant="v1")
        }

        assert {"account", "supply_point", "organisation_number"} <= jp_groups
        assert (
            not {"EnergyAccount", "ElectricityMeterPoint", "PartnerOrganisation.organisation_number"}
            & jp_groups
        )
        assert "account_variant_b" in {
            r.group for r in REGISTRY.plan(document=base.ACCOUNT, territory="JP", variant="v2")
        }
        assert not {"account", "account_variant_b", "supply_point"} & gb_groups

    def test_runs_property_level_groups_before_their_object_group(self):
        plan = [rule.group for rule in REGISTRY.plan(document=base.ACCOUNT, territory="GB", variant="v1")]

        assert (
            plan.index("EnergyCustomer.mobile") < plan.index("EnergyCustomer") < plan.index("EnergyAccount")
        )
        assert plan.index("EnergyAccount.supply_addresses") < plan.index("EnergyAccount")


class TestReferencePayloads:
    @pytest.mark.parametrize("territory", ["GB", "JP"])
    @pytest.mark.parametrize("variant", ["v1", "v2"])
    def test_pass_every_rule(self, territory, variant):
        assert (
            run(
                reference(base.ACCOUNT, territory),
                document=base.ACCOUNT,
                territory=territory,
                variant=variant,
            )
            == []
        )

    @pytest.mark.parametrize("document", sorted(REFERENCES))
    def test_of_other_documents_pass_every_rule(self, document):
        assert run(reference(document, "GB"), document=document) == []


class TestEachRule:
    @pytest.mark.parametrize("rule", CHECKING_RULES, ids=lambda r: f"{r.group}#{r.order}:{r.error_code}")
    def test_reports_its_exact_code_at_the_offending_attr(self, rule):
        attr, failures = break_rule(rule)

        if (rule.group, rule.order) in cases.NEVER_FAIL:
            assert rule.error_code not in {f.code for f in failures}
        else:
            assert (attr, rule.error_code) in {(f.attr, f.code) for f in failures}, failures


class TestNormalisers:
    def test_derives_an_occupier_billing_address_from_the_only_supply_address(self):
        data = P.gb_account(unknown_occupier=True, customers=[])
        for key in ("billing_address1", "billing_postcode"):
            data.pop(key)

        normalised, _ = validation.validate(
            data,
            document=base.ACCOUNT,
            supplier=base.SupplierConfig(code="EDF"),
            now=P.NOW,
            catalogue=P.test_catalogue(),
        )

        assert (normalised["billing_address1"], normalised["billing_postcode"]) == (
            "123 Fake Street",
            "W1F 9DE",
        )

    def test_normalise_supply_charge_line_items(self):
        data = P.gb_account()
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
                    },
                    {
                        "start_date": "2026-06-01",
                        "end_date": "2026-06-03",
                        "net_amount": "0.00",
                        "rate_band": "STANDING",
                    },
                ],
            }
        )

        normalised, _ = validation.validate(
            data,
            document=base.ACCOUNT,
            supplier=base.SupplierConfig(code="EDF"),
            now=P.NOW,
            catalogue=P.test_catalogue(),
        )

        first, standing = normalised["current_statement_transactions"][1]["line_items"]
        assert (first["rate_band"], first["price_per_unit"], standing["number_of_units"]) == (
            "STANDARD",
            "2.00",
            "3",
        )

    def test_names_a_business_customer_without_family_name_business(self):
        data = P.gb_account(account_type="BUSINESS", account_billing_options={"use_industry_billing": True})
        data["customers"][0].pop("family_name")

        normalised, failures = validation.validate(
            data,
            document=base.ACCOUNT,
            supplier=base.SupplierConfig(code="EDF"),
            now=P.NOW,
            catalogue=P.test_catalogue(),
        )

        assert normalised["customers"][0]["family_name"] == "Business"
        assert "customer_family_name_required" not in {f.code for f in failures}

    def test_fill_the_task_window_when_missing(self):
        normalised, failures = validation.validate(
            {"is_dry_run": True},
            document=base.TASK_PARAMS,
            supplier=base.SupplierConfig(code="EDF"),
            now=P.NOW,
            catalogue=P.test_catalogue(),
        )

        assert failures == []
        assert normalised["schedule_window_start"] == P.NOW.isoformat()


class TestAllFailuresAreCollected:
    def test_reports_every_failing_rule_not_just_the_first(self):
        data = P.gb_account(is_managed=True, company_number="01234567", transfer_balance="99.00")
        data["customers"][0]["mobile"] = "12"

        codes = [f.code for f in run(data, document=base.ACCOUNT)]

        assert {
            "managed_accounts_are_not_allowed",
            "business_fields_provided_for_domestic_accounts",
            "balance_mismatch_on_transfer_balance",
            "invalid_phone_number",
        } <= set(codes)
        assert codes.index("invalid_phone_number") < codes.index("managed_accounts_are_not_allowed")


class TestJapaneseNormalisers:
    def test_name_a_business_customer_business_in_kanji_and_kana(self):
        data = P.jp_account(account_type="BUSINESS", account_billing_options={"use_industry_billing": True})
        data["customers"][0].pop("family_name")

        normalised, failures = validation.validate(
            data,
            document=base.ACCOUNT,
            supplier=base.SupplierConfig(code="KYUDEN_MVP", territory="JP"),
            now=P.NOW,
            catalogue=P.test_catalogue(),
        )

        customer = normalised["customers"][0]
        assert (customer["family_name"], customer["family_name_kanji"], customer["family_name_kana"]) == (
            "Business",
            "Business",
            "ビジネス",
        )
        assert "customer_family_name_required" not in {f.code for f in failures}
