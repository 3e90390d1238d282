"""The rule registry against the contract (import-validators.json), the normalisers, and the
reference payloads passing clean. Each rule's condition, from both sides: test_rule_conditions."""

from __future__ import annotations

from collections import Counter

import pytest

from imports import error_codes, validation
from imports.rules import REGISTRY, base
from tests.imports import payloads as P
from tests.imports.rule_harness import REFERENCES, SPEC, reference, run

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


class TestNormalisers:
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
