from django.db import connection
from django.test.utils import CaptureQueriesContext

from metering import models
from tests.accounts.factories import PropertyFactory
from tests.metering.factories import MeterFactory, MeterPointFactory, SmartMeterDeviceFactory

METERS = """query($n: String!) { account(accountNumber: $n) { properties {
  electricityMeterPoints { meters {
    serialNumber
    smartImportElectricityMeter { deviceId type status serialNumber importElectricityMeter { serialNumber } }
    smartExportElectricityMeter { deviceId }
    smartDevices { id deviceId type manufacturer model firmwareVersion gasMeter { serialNumber } } } }
  gasMeterPoints { meters { serialNumber smartGasMeter { deviceId type gasMeter { serialNumber } }
    smartDevices { deviceId } } } } } }"""


def home(account, *, export=False):
    prop = PropertyFactory(account=account)
    electricity = MeterFactory(meter_point=MeterPointFactory(property=prop, is_export=export))
    gas = MeterFactory(
        meter_point=MeterPointFactory(
            property=prop, utility_type=models.UtilityType.GAS, identifier=f"9{electricity.pk:09d}"
        ),
        serial_number=f"G{electricity.pk:07d}",
    )
    esme = SmartMeterDeviceFactory(
        meter=electricity, device_type="ESME", manufacturer="Aclara", model="SGM1412", firmware_version="4.2"
    )
    ihd = SmartMeterDeviceFactory(meter=electricity, device_type="IHD")
    gsme = SmartMeterDeviceFactory(meter=gas, device_type="GSME")
    return electricity, gas, esme, ihd, gsme


class TestSmartDevicesOnMeters:
    def test_each_meter_shows_its_devices_and_its_own_smart_meter(self, authed, account):
        electricity, gas, esme, ihd, gsme = home(account)

        prop = authed.ok(METERS, {"n": account.number})["account"]["properties"][0]

        (meter,) = prop["electricityMeterPoints"][0]["meters"]
        assert meter["smartImportElectricityMeter"] == {
            "deviceId": esme.device_id,
            "type": "ESME",
            "status": "COMMISSIONED",
            "serialNumber": electricity.serial_number,
            "importElectricityMeter": {"serialNumber": electricity.serial_number},
        }
        assert meter["smartExportElectricityMeter"] is None
        assert [d["deviceId"] for d in meter["smartDevices"]] == [esme.device_id, ihd.device_id]
        assert (
            meter["smartDevices"][0]["manufacturer"] == "Aclara"
            and meter["smartDevices"][0]["gasMeter"] is None
        )
        (gas_meter,) = prop["gasMeterPoints"][0]["meters"]
        assert gas_meter["smartGasMeter"] == {
            "deviceId": gsme.device_id,
            "type": "GSME",
            "gasMeter": {"serialNumber": gas.serial_number},
        }

    def test_an_export_meter_s_device_is_its_export_smart_meter(self, authed, account):
        _, _, esme, _, _ = home(account, export=True)

        prop = authed.ok(METERS, {"n": account.number})["account"]["properties"][0]

        meter = prop["electricityMeterPoints"][0]["meters"][0]
        assert meter["smartImportElectricityMeter"] is None
        assert meter["smartExportElectricityMeter"] == {"deviceId": esme.device_id}

    def test_the_device_id_is_what_telemetry_is_asked_for(self, authed, account):
        _, _, esme, _, _ = home(account)

        data = authed.ok(
            "query($d: String!) { smartMeterTelemetry(deviceId: $d) { readAt } }", {"d": esme.device_id}
        )

        assert data["smartMeterTelemetry"] == []

    def test_costs_the_same_queries_for_one_home_and_ten(self, authed, account, viewer):
        from tests.accounts.factories import AccountUserRoleFactory

        home(account)
        other = AccountUserRoleFactory(user=viewer).account
        for _ in range(10):
            home(other)

        counts = []
        for number in (account.number, other.number):
            with CaptureQueriesContext(connection) as captured:
                authed.ok(METERS, {"n": number})
            counts.append(len(captured))

        assert counts[0] == counts[1]
