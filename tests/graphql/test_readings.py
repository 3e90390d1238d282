import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kernel import graphql as gql
from metering import models
from tests.accounts.factories import AccountUserRoleFactory, PaymentMethodFactory
from tests.graphql.conftest import error_code, queries_for
from tests.graphql.factories import SmartMeterDeviceFactory
from tests.metering.factories import MeterFactory, MeterPointFactory, ReadingFactory, RegisterFactory

READINGS = """query($n: String!, $m: String!, $types: [MeterReadingEventType], $first: Int) {
  electricityMeterReadings(accountNumber: $n, meterId: $m, eventTypes: $types, first: $first) {
    totalCount edges { node { readAt source registers { identifier value } } } } }"""
GAS_READINGS = """query($n: String!, $m: String!) {
  gasMeterReadings(accountNumber: $n, meterId: $m, first: 10) { totalCount edges { node { source } } } }"""
SUBMIT = """mutation($mpan: String, $on: Date, $readings: [ReadingInputType]) {
  createElectricityMeterReading(mpan: $mpan, readAt: $on, readings: $readings) {
    id readingErrors { field errors { ... on SerializerErrorType { message } } } } }"""
SUBMIT_GAS = """mutation($mprn: String, $on: Date, $value: Int) {
  createGasMeterReading(mprn: $mprn, readAt: $on, reading: $value) { id readingErrors { field } } }"""
TELEMETRY = """query($d: String!, $start: DateTime, $end: DateTime, $g: TelemetryGrouping) {
  smartMeterTelemetry(deviceId: $d, start: $start, end: $end, grouping: $g) {
    readAt consumption demand consumptionDelta costDelta } }"""
OCTOPLUS = """query($n: String!) { octoplusAccountInfo(accountNumber: $n) {
  isOctoplusEnrolled isLoyaltyPointsUser octoplusEligibility { isEligible ineligibilityReasons } } }"""


def meter_id(meter):
    return gql.model_id("ElectricityMeterType", meter.pk)


class TestMeterReadingRoots:
    def test_pages_a_meters_readings_newest_first_filtered_by_event_type(self, authed, account):
        register = RegisterFactory(meter__meter_point__property__account=account)
        start = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
        for day in range(3):
            ReadingFactory(register=register, read_at=start + dt.timedelta(days=day), value=1000 + day)
        ReadingFactory(register=register, read_at=start, source=models.ReadingSource.CUSTOMER, value=999)

        data = authed.ok(
            READINGS,
            {"n": account.number, "m": meter_id(register.meter), "types": ["SMART_METER"], "first": 2},
        )

        page = data["electricityMeterReadings"]
        assert page["totalCount"] == 3
        assert [e["node"]["registers"][0]["value"] for e in page["edges"]] == ["1002.000", "1001.000"]
        assert {e["node"]["source"] for e in page["edges"]} == {"SMART"}

    def test_another_accounts_meter_is_refused(self, authed, account):
        register = RegisterFactory()
        ReadingFactory(register=register)

        _, body = authed(READINGS, {"n": account.number, "m": meter_id(register.meter), "first": 10})

        assert error_code(body) == "KT-CT-1111"
        assert body["data"]["electricityMeterReadings"] is None

    def test_an_electricity_meter_is_not_a_gas_meter(self, authed, account):
        register = RegisterFactory(meter__meter_point__property__account=account)

        _, body = authed(GAS_READINGS, {"n": account.number, "m": gql.encode_pk(register.meter.pk)})

        assert error_code(body) == "KT-CT-1111"

    def test_costs_the_same_for_1_and_50_readings(self, authed, account):
        register = RegisterFactory(meter__meter_point__property__account=account)
        ReadingFactory(register=register)
        variables = {"n": account.number, "m": meter_id(register.meter), "first": 50}
        one, _ = queries_for(authed, READINGS, variables)
        models.Reading.objects.bulk_create(
            models.Reading(
                register=register, read_at=timezone.now() - dt.timedelta(days=d), value=d, source="SMART"
            )
            for d in range(1, 50)
        )

        fifty, data = queries_for(authed, READINGS, variables)

        assert len(data["electricityMeterReadings"]["edges"]) == 50
        assert one == fifty


class TestCreateMeterReading:
    def test_stores_a_customer_reading_once(self, authed, account):
        register = RegisterFactory(meter__meter_point__property__account=account)
        ReadingFactory(register=register, value=1000)
        variables = {
            "mpan": register.meter.meter_point.identifier,
            "on": timezone.localdate().isoformat(),
            "readings": [{"registerId": "1", "reading": 1234}],
        }

        first = authed.ok(SUBMIT, variables)["createElectricityMeterReading"]
        again = authed.ok(SUBMIT, variables)["createElectricityMeterReading"]

        assert first["readingErrors"] == [] and first["id"] == again["id"]
        reading = models.Reading.objects.get(source=models.ReadingSource.CUSTOMER)
        assert reading.value == Decimal(1234) and reading.register == register

    def test_refuses_a_reading_below_the_last_one_and_stores_nothing(self, authed, account):
        register = RegisterFactory(meter__meter_point__property__account=account)
        ReadingFactory(register=register, value=5000)

        data = authed.ok(
            SUBMIT,
            {
                "mpan": register.meter.meter_point.identifier,
                "on": timezone.localdate().isoformat(),
                "readings": [{"registerId": "1", "reading": 4000}],
            },
        )["createElectricityMeterReading"]

        assert data["id"] is None
        assert data["readingErrors"][0]["field"] == "reading"
        assert "cannot be lower" in data["readingErrors"][0]["errors"][0]["message"]
        assert not models.Reading.objects.filter(source=models.ReadingSource.CUSTOMER).exists()

    def test_refuses_a_future_date_and_an_unknown_register(self, authed, account):
        register = RegisterFactory(meter__meter_point__property__account=account)

        data = authed.ok(
            SUBMIT,
            {
                "mpan": register.meter.meter_point.identifier,
                "on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
                "readings": [{"registerId": "9", "reading": 1}],
            },
        )["createElectricityMeterReading"]

        assert {e["field"] for e in data["readingErrors"]} == {"readAt", "registerId"}

    def test_stores_a_gas_reading_on_the_single_register(self, authed, account):
        register = RegisterFactory(
            meter__meter_point=MeterPointFactory(
                property__account=account, utility_type=models.UtilityType.GAS, identifier="1234567"
            )
        )

        data = authed.ok(SUBMIT_GAS, {"mprn": "1234567", "on": timezone.localdate().isoformat(), "value": 42})

        assert data["createGasMeterReading"]["readingErrors"] == []
        assert models.Reading.objects.get(register=register).value == 42

    def test_another_accounts_meter_point_is_refused(self, authed):
        register = RegisterFactory(meter__meter_point__property__account=AccountUserRoleFactory().account)

        _, body = authed(
            SUBMIT,
            {"mpan": register.meter.meter_point.identifier, "on": "2024-01-01", "readings": [{"reading": 1}]},
        )

        assert error_code(body) == "KT-CT-1111"
        assert not models.Reading.objects.exists()


class TestSmartMeterTelemetry:
    def test_groups_samples_with_consumption_deltas(self, authed, account):
        device = SmartMeterDeviceFactory(meter=MeterFactory(meter_point__property__account=account))
        start = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
        for second, (kwh, watts) in enumerate([(10, 400), (10.1, 600), (10.25, 800), (10.3, 1000)]):
            models.TelemetryReading.objects.create(
                device=device,
                read_at=start + dt.timedelta(seconds=second * 30 - 10),
                consumption_kwh=Decimal(str(kwh)),
                demand_w=watts,
            )

        data = authed.ok(
            TELEMETRY,
            {
                "d": device.device_id,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=5)).isoformat(),
                "g": "ONE_MINUTE",
            },
        )

        assert data["smartMeterTelemetry"] == [
            {
                "readAt": "2024-05-01T12:00:00+00:00",
                "consumption": "10.250",
                "demand": "700.0",
                "consumptionDelta": "0.250",
                "costDelta": None,
            },
            {
                "readAt": "2024-05-01T12:01:00+00:00",
                "consumption": "10.300",
                "demand": "1000.0",
                "consumptionDelta": "0.050",
                "costDelta": None,
            },
        ]

    def test_another_accounts_device_is_refused(self, authed):
        device = SmartMeterDeviceFactory()

        _, body = authed(TELEMETRY, {"d": device.device_id})

        assert error_code(body) == "KT-CT-1111"


class TestOctoplusAccountInfo:
    def test_lists_every_reason_an_account_is_not_eligible(self, authed, account):
        data = authed.ok(OCTOPLUS, {"n": account.number})["octoplusAccountInfo"]

        assert data == {
            "isOctoplusEnrolled": False,
            "isLoyaltyPointsUser": False,
            "octoplusEligibility": {
                "isEligible": False,
                "ineligibilityReasons": ["NO_PROPERTIES", "NO_DIRECT_DEBIT"],
            },
        }

    def test_an_account_with_a_smart_meter_and_direct_debit_is_eligible(self, authed, account):
        MeterFactory(meter_point__property__account=account, is_smart=True)
        PaymentMethodFactory(account=account)

        data = authed.ok(OCTOPLUS, {"n": account.number})["octoplusAccountInfo"]

        assert data["octoplusEligibility"] == {"isEligible": True, "ineligibilityReasons": []}
