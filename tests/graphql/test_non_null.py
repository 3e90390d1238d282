"""Every non-null field always resolves, and a list is never null.

- Statically: an object type with hand-written resolvers resolves each of its non-null fields, and
  every `gql.view(...)` of the source sets the non-null fields nobody resolves (views that pass
  keys on are checked as they are built, GRAPHQL_CHECK_VIEWS).
- At run time (tests): an object answered without one of them fails the request
  (`binding.check_complete`); the crawl (test_graph_crawl.py) answers every field it can reach.
- Here, on an account holding one of everything: the fields that once answered KT-CT-1101 and took
  their parent with them (account user, meter points, meters, statements), the industry facts
  derived from what the platform holds, and empty lists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from kernel.graphql import binding
from kraken.graphql import schema
from metering import models as metering_models
from tests.billing.factories import BillFactory
from tests.graphql import views_in_source
from tests.graphql.test_bindings import RESOLVERS, SOURCE_MODULES, _object_fields
from tests.metering.factories import (
    MeterFactory,
    MeterPointFactory,
    ReadingFactory,
    RegisterFactory,
    SmartMeterDeviceFactory,
)

SCHEMA = schema.schema.graphql_schema


def _required(type_name: str) -> set[str]:
    return set(binding.unresolved_non_null(SCHEMA.type_map[type_name]))


class TestStatically:
    def test_types_with_resolvers_resolve_every_non_null_field(self):
        unresolved = {
            type_name: sorted(_required(type_name)) for type_name in sorted({t for t, _ in RESOLVERS})
        }

        assert {t: f for t, f in unresolved.items() if f} == {}

    def test_views_set_every_non_null_field_nobody_resolves(self):
        sources = {m.__name__: Path(m.__file__).read_text(encoding="utf-8") for m in SOURCE_MODULES}

        problems = views_in_source.problems(sources, _object_fields, _required)

        assert problems == []

    def test_a_view_leaving_a_non_null_field_out_is_found_in_the_source(self):
        source = (
            "def resolve(root, info):\n    return gql.view('ForceReauthentication', tokensInvalidated=True)\n"
        )

        problems = views_in_source.problems({"typo": source}, _object_fields, _required)

        assert problems == ["typo:2: gql.view of ForceReauthentication: lacks non-null effectiveAt"]

    def test_the_executor_refuses_a_value_that_would_answer_null_in_a_non_null_field(self):
        payload = SCHEMA.type_map["ForceReauthentication"]  # built as a view: nothing resolves it

        with pytest.raises(binding.BindingError, match="lacks non-null effectiveAt"):
            binding.check_complete(payload, {"tokensInvalidated": True})
        with pytest.raises(binding.BindingError, match="no resolver for non-null"):
            binding.check_complete(payload, object())
        binding.check_complete(payload, {"tokensInvalidated": True, "effectiveAt": timezone.now()})


VIEWER = """{ viewer { isDeceased isInHardship alternativePhoneNumbers portfolioIds
  accounts { ... on AccountType { number canBeWithdrawn canRequestRefund commsDeliveryPreference
    hasActiveDunningProcess notes { body } campaigns { name } events(first: 5) { totalCount } } } } }"""
METER_POINTS = """query($n: String!) { account(accountNumber: $n) { properties {
  smartDeviceNetworks { id smartDevices { deviceId type } }
  electricityMeterPoints { id mpan ssc energisationStatus dccServiceFlag dccEffectiveFrom smsOperator ihdStatus
    measurementClass requiresEnrolment requiresWithdrawal hasOpenOpeningReadDispute hasOpenClosingReadDispute
    smartStartDate lastValidatedReadingDate agentContracts { __typename } unbilledReadings { id }
    meters { id createdAt consumptionUnits makeAndType isTradPrepay hasAndAllowsHhReadings
      exportMeters { edges { node { serialNumber } } } registers { eac } } }
  gasMeterPoints { mprn nominationType supplyClass nominationShipperReference mrfType meterReadBatchFrequency
    exitZone ldz supplyPointCategory igtIdentifier requiresEnrolment requiresWithdrawal hasOpenOpeningReadDispute
    hasOpenClosingReadDispute marketCategory marketSectorCode
    meters { createdAt manufacturerCode modelName meterType units location locationDescription instructions
      linkCode collarFitted bypassFitted owner currentMeterAssetManager mechanism imperial status
      consumptionUnits readingFactor } } } } }"""
STATEMENTS = """query($n: String!) { account(accountNumber: $n) { bills(first: 5) { edges { node {
  ... on StatementType { id reversalsAfterClose isExternalBill toAddress } } } } } }"""


@pytest.fixture
def home(account):
    now = timezone.now()
    electricity = MeterPointFactory(property__account=account, estimated_annual_consumption=2900)
    meter = MeterFactory(meter_point=electricity)
    register = RegisterFactory(meter=meter)
    ReadingFactory(register=register, read_at=now - dt.timedelta(days=3))
    ReadingFactory(register=register, read_at=now - dt.timedelta(days=1), value=1100, quality="ESTIMATE")
    SmartMeterDeviceFactory(meter=meter, manufacturer="Landis+Gyr", model="E470", paired_at=now)
    SmartMeterDeviceFactory(meter=meter, device_type=metering_models.SmartDeviceType.IHD, paired_at=now)
    gas = MeterPointFactory(
        property=electricity.property,
        utility_type=metering_models.UtilityType.GAS,
        identifier="9000000099",
        estimated_annual_consumption=11500,
    )
    gas_meter = MeterFactory(meter_point=gas, meter_type="")
    RegisterFactory(
        meter=gas_meter, unit=metering_models.RegisterUnit.CUBIC_METRES, multiplier=Decimal("1.0200")
    )
    SmartMeterDeviceFactory(
        meter=gas_meter,
        device_type=metering_models.SmartDeviceType.GSME,
        manufacturer="Landis+Gyr",
        model="G470",
    )
    return electricity, gas


class TestOnAnAccountHoldingOneOfEverything:
    def test_the_viewer_resolves_and_lists_are_empty_not_null(self, authed):
        viewer = authed.ok(VIEWER)["viewer"]

        assert viewer["isDeceased"] is False and viewer["isInHardship"] is False
        assert viewer["alternativePhoneNumbers"] == [] and viewer["portfolioIds"] == []
        account = viewer["accounts"][0]
        assert account["notes"] == [] and account["campaigns"] == []
        assert (account["canBeWithdrawn"], account["canRequestRefund"]) == (False, False)
        assert (
            account["commsDeliveryPreference"] == "POSTAL_MAIL"
            and account["hasActiveDunningProcess"] is False
        )

    def test_meter_points_and_meters_answer_every_non_null_field(self, authed, account, home):
        data = authed.ok(METER_POINTS, {"n": account.number})["account"]["properties"][0]

        [network] = data["smartDeviceNetworks"]
        assert {d["type"] for d in network["smartDevices"]} == {"ESME", "IHD", "GSME"}
        [electricity] = data["electricityMeterPoints"]
        assert electricity["ssc"] == "" and electricity["energisationStatus"] == "E"
        assert (electricity["dccServiceFlag"], electricity["smsOperator"], electricity["ihdStatus"]) == (
            "A",
            "DCC",
            "I",
        )
        assert electricity["measurementClass"] == "A" and electricity["requiresEnrolment"] is False
        assert electricity["lastValidatedReadingDate"] is not None
        assert electricity["agentContracts"] == [] and electricity["unbilledReadings"] == []
        [meter] = electricity["meters"]
        assert meter["consumptionUnits"] == "kWh" and meter["makeAndType"] == "Landis+Gyr E470"
        assert meter["exportMeters"] == {"edges": []} and meter["registers"] == [{"eac": "2900"}]
        [gas] = data["gasMeterPoints"]
        assert (gas["supplyClass"], gas["ldz"], gas["marketCategory"], gas["marketSectorCode"]) == (
            4,
            "",
            "SSP",
            "D",
        )
        [gas_meter] = gas["meters"]
        assert (gas_meter["modelName"], gas_meter["manufacturerCode"]) == ("G470", "Landis+Gyr")
        assert (gas_meter["mechanism"], gas_meter["imperial"], gas_meter["status"]) == ("S2", False, "LI")
        assert gas_meter["consumptionUnits"] == "m³" and gas_meter["readingFactor"] == "1.0200"
        assert (gas_meter["units"], gas_meter["location"]) == (0, "")

    def test_statements_say_nothing_is_reversed_after_close(self, authed, account):
        BillFactory(account=account)

        edges = authed.ok(STATEMENTS, {"n": account.number})["account"]["bills"]["edges"]

        [statement] = [e["node"] for e in edges]
        assert statement["reversalsAfterClose"] == "NONE"
        assert statement["isExternalBill"] is False and statement["toAddress"]
