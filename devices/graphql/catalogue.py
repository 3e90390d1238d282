"""Resolvers of the device catalogue (`electricVehicles`, `chargePointDevices`,
`chargePointVariants`, `heatPumpVariants`, `batteryVariants`, `eligibleDeviceTypes`), the viewer's
vehicles (`userVehicles`), devices at a property (`batteryDevice`, `heatPumpDevice`) and heat pump
controllers (`octoHeatPumpController…`, `heatPumpControllerStatus`, `heatPumpStatus`).

Catalogue roots are one query whatever the number of variants. Controller roots read one
controller with its zones and sensors (three queries). Values the controller has not reported are
null; nothing here is made up.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from accounts.graphql import access
from devices import models, queries
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries

# Kraken files charge points under the vehicles they charge (KrakenFlexDeviceTypes has no
# CHARGE_POINTS).
ELIGIBLE_TYPE = {models.DeviceKind.CHARGE_POINTS: models.DeviceKind.ELECTRIC_VEHICLES}


def _name(value):
    return getattr(value, "name", value)


def _by_make(variants, model_view) -> list[dict]:
    makes: dict[str, list] = defaultdict(list)
    for v in variants:
        makes[v.make].append(model_view(v))
    return [{"make": make, "models": rows} for make, rows in makes.items()]


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _vehicle_model(v: models.DeviceVariant) -> dict:
    return {
        "vehicleId": v.variant_id,
        "model": v.model,
        "year": v.year,
        "availableFrom": v.available_from_year,
        "availableTo": v.available_to_year,
        "batterySize": v.battery_capacity_kwh,
        "supportedProviders": list(v.supported_providers),
        "isIntegrationLive": v.is_integration_live,
    }


def _charge_point_model(v: models.DeviceVariant) -> dict:
    return {
        "variantId": v.variant_id,
        "model": v.model,
        "powerInKw": v.power_kw,
        "amperage": v.amperage,
        "isIntegrationLive": v.is_integration_live,
    }


def _heat_pump_model(v: models.DeviceVariant) -> dict:
    return {
        "heatPumpId": str(v.variant_id),
        "model": v.model,
        "powerInKw": v.power_kw,
        "isDeprecated": v.is_deprecated,
    }


def _battery_model(v: models.DeviceVariant) -> dict:
    return {
        "variantId": str(v.variant_id),
        "model": v.model,
        "couplingType": v.coupling_type or None,
        "batteryCapacityInKwh": v.battery_capacity_kwh,
        "maxPowerInKw": v.power_kw,
        "isIntegrationLive": v.is_integration_live,
        "isDeprecated": v.is_deprecated,
    }


def _device_at_property(info, account_number: str, property_id: int, kind: str) -> models.Device:
    """Raises KrakenError KT-CT-4177 (account) or KT-CT-4301 (no such device at that property of
    the account)."""
    account = access.viewer_account(info, account_number)
    try:
        return queries.device_on_property(account=account, property_public_id=property_id, kind=kind)
    except queries.NoDevice as exc:
        raise gql.KrakenError(error_codes.NO_DEVICE) from exc


def _controller(info, account_number: str, euid: str | None) -> models.HeatPumpController:
    account = access.viewer_account(info, account_number)
    try:
        return queries.heat_pump_controller(account=account, euid=euid)
    except queries.NoDevice as exc:
        raise gql.KrakenError(error_codes.NO_DEVICE) from exc


class Query:
    @staticmethod
    def resolve_electricVehicles(root, info, make=None, supportedProvider=None, isIntegrationLive=None):
        gql.context(info).viewer()
        rows = queries.device_variants(
            kinds=(models.DeviceKind.ELECTRIC_VEHICLES,),
            make=make,
            provider=_name(supportedProvider),
            is_integration_live=isIntegrationLive,
        )
        return _by_make(rows, _vehicle_model)

    @staticmethod
    def resolve_chargePointDevices(root, info):
        gql.context(info).viewer()
        makes: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for v in queries.device_variants(kinds=(models.DeviceKind.CHARGE_POINTS,)):
            powers = makes[v.make].setdefault(v.model, [])
            power = format(v.power_kw.normalize(), "f") if v.power_kw is not None else None
            if power is not None and power not in powers:
                powers.append(power)
        return [
            {"make": make, "models": [{"model": m, "powerInKw": p} for m, p in rows.items()]}
            for make, rows in makes.items()
        ]

    @staticmethod
    def resolve_chargePointVariants(root, info):
        gql.context(info).viewer()
        return _by_make(
            queries.device_variants(kinds=(models.DeviceKind.CHARGE_POINTS,)), _charge_point_model
        )

    @staticmethod
    def resolve_heatPumpVariants(root, info, make=None, isDeprecated=None):
        gql.context(info).viewer()
        rows = queries.device_variants(
            kinds=(models.DeviceKind.HEAT_PUMPS,), make=make, is_deprecated=isDeprecated
        )
        return _by_make(rows, _heat_pump_model)

    @staticmethod
    def resolve_batteryVariants(root, info, make=None):
        gql.context(info).viewer()
        return _by_make(
            queries.device_variants(kinds=(models.DeviceKind.BATTERIES,), make=make), _battery_model
        )

    @staticmethod
    def resolve_eligibleDeviceTypes(root, info, accountNumber):
        """Kinds the catalogue can integrate, for an account with an electricity supply."""
        account = access.viewer_account(info, accountNumber)
        if not metering_queries.electricity_meter_points_of_account(account_id=account.pk).exists():
            return []
        eligible = []
        for kind in queries.integrable_kinds():
            name = str(ELIGIBLE_TYPE.get(kind, kind))
            if name not in eligible:
                eligible.append(name)
        return eligible

    @staticmethod
    def resolve_userVehicles(root, info, accountNumber=None, supportedProvider=None, authentication=None):
        """The vehicles registered on the viewer's accounts (or on one of them). The product does
        not call vehicle providers, so `authentication` is not used and the VIN stays null."""
        ctx = gql.context(info)
        if accountNumber is not None:
            account_ids = {access.viewer_account(info, accountNumber).pk}
        else:
            account_ids = ctx.viewer_account_ids()
        return [
            {
                "vehicleId": str(d.public_id),
                "information": {
                    "vin": None,
                    "brand": d.vendor,
                    "model": d.model,
                    "year": d.variant.year if d.variant is not None else None,
                    "displayName": d.name or None,
                },
            }
            for d in queries.vehicles_of_accounts(account_ids=account_ids, provider=_name(supportedProvider))
        ]

    @staticmethod
    def resolve_batteryDevice(root, info, accountNumber, propertyId):
        return _device_at_property(info, accountNumber, propertyId, models.DeviceKind.BATTERIES)

    @staticmethod
    def resolve_heatPumpDevice(root, info, accountNumber, propertyId):
        return _device_at_property(info, accountNumber, propertyId, models.DeviceKind.HEAT_PUMPS)

    @staticmethod
    def resolve_octoHeatPumpControllerEuids(root, info, accountNumber=None):
        ctx = gql.context(info)
        if accountNumber is not None:
            account_ids = {access.viewer_account(info, accountNumber).pk}
        else:
            account_ids = ctx.viewer_account_ids()
        return queries.controller_euids(account_ids=account_ids)

    @staticmethod
    def resolve_octoHeatPumpControllerStatus(root, info, accountNumber, euid):
        return controller_status(_controller(info, accountNumber, euid))

    @staticmethod
    def resolve_heatPumpControllerStatus(root, info, accountNumber, euid):
        return controller_status(_controller(info, accountNumber, euid))

    @staticmethod
    def resolve_octoHeatPumpControllerConfiguration(root, info, accountNumber, euid):
        return controller_configuration(_controller(info, accountNumber, euid))

    @staticmethod
    def resolve_heatPumpStatus(root, info, accountNumber):
        c = _controller(info, accountNumber, None)
        return {
            "isConnected": c.is_connected,
            "climateControlStatus": {
                "climateControlEnabled": c.climate_control_enabled,
                "targetClimateControlTemperature": c.target_climate_control_celsius,
                "currentClimateControlTemperature": c.current_climate_control_celsius,
            },
            "waterTemperatureStatus": {
                "waterTemperatureEnabled": c.water_heating_enabled,
                "currentWaterTemperature": c.current_water_celsius,
            },
        }


def controller_status(c: models.HeatPumpController) -> dict:
    """ControllerStatus: each sensor's connectivity and readings, each zone's telemetry."""
    return {
        "sensors": [
            {
                "code": s.code,
                "connectivity": {"online": s.is_online, "retrievedAt": s.reported_at},
                "telemetry": {
                    "temperatureInCelsius": _float(s.temperature_celsius),
                    "humidityPercentage": s.humidity_percentage,
                    "rssi": s.rssi,
                    "rssiPercentage": None,
                    "voltage": _float(s.voltage),
                    "retrievedAt": s.reported_at,
                },
            }
            for s in c.sensors.all()
        ],
        "zones": [
            {
                "zone": z.zone,
                "telemetry": {
                    "setpointInCelsius": _float(z.setpoint_celsius),
                    "mode": z.mode or None,
                    "relaySwitchedOn": z.relay_switched_on,
                    "heatDemand": z.heat_demand,
                    "retrievedAt": z.reported_at,
                },
            }
            for z in c.zones.all()
        ],
    }


def _sensor_configuration(s: models.HeatPumpSensor) -> dict:
    if s.sensor_type == models.SensorKind.ZIGBEE:
        return {
            "__typename": "ZigbeeSensorConfiguration",
            "code": s.code,
            "displayName": s.display_name or None,
            "type": s.sensor_type,
            "id": s.zigbee_id or None,
            "firmwareVersion": s.firmware_version or None,
            "boostEnabled": s.boost_enabled,
        }
    return {
        "__typename": "ADCSensorConfiguration",
        "code": s.code,
        "displayName": s.display_name or None,
        "type": s.sensor_type,
        "enabled": s.is_enabled,
    }


def controller_configuration(c: models.HeatPumpController) -> dict:
    """ControllerAndZoneConfiguration. The access point password is never stored, schedules and
    flow-temperature curves are not held by the product: those stay null."""
    sensors_by_zone: dict[int, list] = defaultdict(list)
    for s in c.sensors.all():
        if s.zone_id is not None:
            sensors_by_zone[s.zone_id].append(_sensor_configuration(s))
    variant = c.device.variant
    return {
        "controller": {
            "firmwareConfiguration": {
                "esp32": c.firmware_esp32 or None,
                "efr32": c.firmware_efr32 or None,
                "eui": c.euid,
            },
            "state": list(c.states),
            "accessPointPassword": None,
            "heatPumpTimezone": c.heat_pump_timezone or None,
            "connected": c.is_connected,
            "lastReset": c.last_reset_at,
        },
        "zones": [
            {
                "configuration": {
                    "code": z.zone,
                    "zoneType": z.zone_type,
                    "enabled": z.is_enabled,
                    "displayName": z.display_name or None,
                    "primarySensor": z.primary_sensor or None,
                    "currentOperation": {
                        "mode": z.mode or None,
                        "setpointInCelsius": _float(z.setpoint_celsius),
                        "action": None,
                        "end": None,
                    }
                    if z.mode
                    else None,
                    "previousOperation": None,
                    "callForHeat": z.call_for_heat,
                    "heatDemand": z.heat_demand,
                    "emergency": z.emergency,
                    "sensors": sensors_by_zone[z.pk],
                },
                "schedules": None,
            }
            for z in c.zones.all()
        ],
        "heatPump": {
            "serialNumber": c.heat_pump_serial_number or None,
            "model": variant.model if variant is not None else c.device.model or None,
            "hardwareVersion": c.heat_pump_hardware_version or None,
            "faultCodes": list(c.fault_codes),
            "weatherCompensation": None,
            "heatingFlowTemperature": None,
            "manifoldEnabled": c.manifold_enabled,
            "hasHeatPumpCompatibleCylinder": c.has_heat_pump_compatible_cylinder,
            "maxWaterSetpoint": _float(c.max_water_setpoint_celsius),
            "minWaterSetpoint": _float(c.min_water_setpoint_celsius),
        },
    }
