from decimal import Decimal

from devices import models
from tests.accounts.factories import AccountUserRoleFactory
from tests.graphql.conftest import error_code, queries_for
from tests.graphql.factories import (
    HeatPumpControllerFactory,
    HeatPumpSensorFactory,
    HeatPumpZoneFactory,
    controller_with_state,
)

EUIDS = """query($n: String) { octoHeatPumpControllerEuids(accountNumber: $n) }"""
STATUS = """query($n: String!, $e: ID!) {
  octoHeatPumpControllerStatus(accountNumber: $n, euid: $e) {
    sensors { code connectivity { online retrievedAt } telemetry { temperatureInCelsius humidityPercentage rssi voltage } }
    zones { zone telemetry { setpointInCelsius mode relaySwitchedOn heatDemand retrievedAt } } }
  heatPumpControllerStatus(accountNumber: $n, euid: $e) { zones { zone } } }"""
CONFIGURATION = """query($n: String!, $e: ID!) {
  octoHeatPumpControllerConfiguration(accountNumber: $n, euid: $e) {
    controller { firmwareConfiguration { esp32 eui } state accessPointPassword connected }
    zones { configuration { code zoneType displayName primarySensor currentOperation { mode setpointInCelsius }
      sensors { __typename ... on ZigbeeSensorConfiguration { code id } ... on ADCSensorConfiguration { code enabled } } }
      schedules { days } }
    heatPump { serialNumber model faultCodes maxWaterSetpoint weatherCompensation { enabled } } } }"""
HEAT_PUMP_STATUS = """query($n: String!) { heatPumpStatus(accountNumber: $n) {
  isConnected climateControlStatus { climateControlEnabled targetClimateControlTemperature currentClimateControlTemperature }
  waterTemperatureStatus { waterTemperatureEnabled currentWaterTemperature } } }"""


class TestControllerEuids:
    def test_lists_the_controllers_of_the_viewers_accounts_only(self, authed, account):
        mine = HeatPumpControllerFactory(device__account=account)
        HeatPumpControllerFactory(device__account=AccountUserRoleFactory().account)

        assert authed.ok(EUIDS)["octoHeatPumpControllerEuids"] == [mine.euid]
        assert authed.ok(EUIDS, {"n": account.number})["octoHeatPumpControllerEuids"] == [mine.euid]


class TestControllerStatus:
    def test_reports_what_the_controller_last_reported_and_nothing_else(self, authed, account):
        controller = controller_with_state(account)

        data = authed.ok(STATUS, {"n": account.number, "e": controller.euid.upper()})

        status = data["octoHeatPumpControllerStatus"]
        assert status["zones"] == [
            {
                "zone": "ZONE_1",
                "telemetry": {
                    "setpointInCelsius": 20.5,
                    "mode": "AUTO",
                    "relaySwitchedOn": True,
                    "heatDemand": True,
                    "retrievedAt": "2024-06-01T12:00:00+00:00",
                },
            }
        ]
        assert status["sensors"] == [
            {
                "code": "ADC1",
                "connectivity": {"online": None, "retrievedAt": None},
                "telemetry": {
                    "temperatureInCelsius": None,
                    "humidityPercentage": None,
                    "rssi": None,
                    "voltage": None,
                },
            },
            {
                "code": "SENSOR01",
                "connectivity": {"online": True, "retrievedAt": "2024-06-01T12:00:00+00:00"},
                "telemetry": {
                    "temperatureInCelsius": 19.8,
                    "humidityPercentage": 48,
                    "rssi": -61,
                    "voltage": None,
                },
            },
        ]
        assert data["heatPumpControllerStatus"]["zones"] == [{"zone": "ZONE_1"}]

    def test_costs_the_same_queries_for_1_and_12_sensors(self, authed, account):
        controller = HeatPumpControllerFactory(device__account=account)
        zone = HeatPumpZoneFactory(controller=controller)
        HeatPumpSensorFactory(controller=controller, zone=zone)
        one, _ = queries_for(authed, STATUS, {"n": account.number, "e": controller.euid})
        for _ in range(11):
            HeatPumpSensorFactory(controller=controller, zone=zone)

        twelve, data = queries_for(authed, STATUS, {"n": account.number, "e": controller.euid})

        assert len(data["octoHeatPumpControllerStatus"]["sensors"]) == 12
        assert one == twelve

    def test_refuses_a_controller_of_another_account_with_kt_ct_4301(self, authed, account):
        theirs = HeatPumpControllerFactory(device__account=AccountUserRoleFactory().account)

        _, body = authed(STATUS, {"n": account.number, "e": theirs.euid})

        assert body["data"] == {"octoHeatPumpControllerStatus": None, "heatPumpControllerStatus": None}
        assert error_code(body) == "KT-CT-4301"

    def test_refuses_another_account_with_kt_ct_4177(self, authed):
        other = AccountUserRoleFactory().account
        theirs = HeatPumpControllerFactory(device__account=other)

        _, body = authed(STATUS, {"n": other.number, "e": theirs.euid})

        assert error_code(body) == "KT-CT-4177"


class TestControllerConfiguration:
    def test_gives_the_held_configuration_and_null_for_what_is_not_held(self, authed, account):
        controller = controller_with_state(account)

        data = authed.ok(CONFIGURATION, {"n": account.number, "e": controller.euid})

        config = data["octoHeatPumpControllerConfiguration"]
        assert config["controller"] == {
            "firmwareConfiguration": {"esp32": "v2.1.4", "eui": controller.euid},
            "state": ["NORMAL_MODE"],
            "accessPointPassword": None,
            "connected": True,
        }
        assert config["zones"] == [
            {
                "configuration": {
                    "code": "ZONE_1",
                    "zoneType": "HEAT",
                    "displayName": "Downstairs",
                    "primarySensor": "SENSOR01",
                    "currentOperation": {"mode": "AUTO", "setpointInCelsius": 20.5},
                    "sensors": [
                        {"__typename": "ADCSensorConfiguration", "code": "ADC1", "enabled": True},
                        {"__typename": "ZigbeeSensorConfiguration", "code": "SENSOR01", "id": "0x01"},
                    ],
                },
                "schedules": [],
            }
        ]
        assert config["heatPump"] == {
            "serialNumber": "HP-1",
            "model": "Altherma",
            "faultCodes": ["E1"],
            "maxWaterSetpoint": 60.0,
            "weatherCompensation": None,
        }


class TestHeatPumpStatus:
    def test_reports_the_accounts_controller(self, authed, account):
        controller_with_state(account)

        data = authed.ok(HEAT_PUMP_STATUS, {"n": account.number})

        assert data["heatPumpStatus"] == {
            "isConnected": True,
            "climateControlStatus": {
                "climateControlEnabled": True,
                "targetClimateControlTemperature": "20.5",
                "currentClimateControlTemperature": "19.8",
            },
            "waterTemperatureStatus": {"waterTemperatureEnabled": False, "currentWaterTemperature": None},
        }

    def test_without_a_controller_is_kt_ct_4301(self, authed, account):
        _, body = authed(HEAT_PUMP_STATUS, {"n": account.number})

        assert error_code(body) == "KT-CT-4301"


ZONE_OPERATIONS = """query($n: String!, $e: ID!) { octoHeatPumpControllerConfiguration(accountNumber: $n, euid: $e) {
  zones { configuration { code currentOperation { mode setpointInCelsius action end } } } } }"""


class TestZoneCurrentOperation:
    def test_gives_the_action_of_a_zone_switched_without_a_setpoint(self, authed, account):
        controller = HeatPumpControllerFactory(device__account=account)
        HeatPumpZoneFactory(
            controller=controller,
            zone=models.Zone.ZONE_1,
            mode=models.ZoneMode.AUTO,
            setpoint_celsius=Decimal("20"),
        )
        HeatPumpZoneFactory(
            controller=controller,
            zone=models.Zone.AUXILIARY,
            zone_type=models.ZoneType.AUX,
            mode=models.ZoneMode.OFF,
        )

        data = authed.ok(ZONE_OPERATIONS, {"n": account.number, "e": controller.euid})

        operations = {
            z["configuration"]["code"]: z["configuration"]["currentOperation"]
            for z in data["octoHeatPumpControllerConfiguration"]["zones"]
        }
        assert operations == {
            "ZONE_1": {"mode": "AUTO", "setpointInCelsius": 20.0, "action": None, "end": None},
            "AUXILIARY": {"mode": "OFF", "setpointInCelsius": None, "action": "OFF", "end": None},
        }
