"""The devices app's `Query` roots: `devices`, `plannedDispatches`/`completedDispatches`,
`flexPlannedDispatches`, `registeredKrakenflexDevice`, `vehicleChargingPreferences`, `savingSessions`, the device catalogue
(`electricVehicles`, `chargePointDevices`, `chargePointVariants`, `heatPumpVariants`,
`batteryVariants`, `eligibleDeviceTypes`), the viewer's vehicles (`userVehicles`), devices at a
property (`batteryDevice`, `heatPumpDevice`) and heat pump controllers
(`octoHeatPumpController…`, `heatPumpControllerStatus`, `heatPumpStatus`).

Catalogue roots are one query whatever the number of variants; controller roots read one
controller with its zones and sensors (three queries).
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from accounts.graphql import access
from accounts.graphql import types as accounts_types
from devices import models, queries
from devices.graphql import dataloaders, types
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries

# Kraken files charge points under the vehicles they charge (KrakenFlexDeviceTypes has no
# CHARGE_POINTS).
ELIGIBLE_TYPE = {models.DeviceKind.CHARGE_POINTS: models.DeviceKind.ELECTRIC_VEHICLES}


def _dispatches(info, account_number: str, status: str) -> list[models.Dispatch]:
    account = access.viewer_account(info, account_number)
    try:
        return queries.dispatches_of_account(account=account, status=status, now=gql.context(info).now)
    except queries.NoDevice as exc:
        raise gql.KrakenError(error_codes.NO_DEVICE) from exc


def _device_at_property(info, account_number: str, property_id: int, kind: str) -> models.Device | None:
    """The device of `kind` at one of the account's properties (None when it has none). Raises
    KrakenError KT-CT-4177 (account) or KT-CT-4301 (a property that is not the account's)."""
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


def _account_ids(info, account_number: str | None) -> set[int]:
    """The viewer's accounts, or the one with this number (KT-CT-4177 when it is not theirs)."""
    if account_number is not None:
        return {access.viewer_account(info, account_number).pk}
    return gql.context(info).viewer_account_ids()


class Query:
    @staticmethod
    def resolve_devices(root, info, accountNumber, propertyId=None, deviceId=None):
        account = access.viewer_account(info, accountNumber)
        property_public_id = public_id = None
        if propertyId is not None:
            property_public_id = accounts_types.property_number(propertyId)
            if property_public_id is None:
                return []
        if deviceId is not None:
            try:
                public_id = uuid.UUID(types.public_id_of(deviceId))
            except ValueError:
                return []
        return list(
            queries.devices_of_account(
                account=account, property_public_id=property_public_id, public_id=public_id
            )
        )

    @staticmethod
    def resolve_plannedDispatches(root, info, accountNumber):
        return _dispatches(info, accountNumber, models.DispatchStatus.PLANNED)

    @staticmethod
    def resolve_completedDispatches(root, info, accountNumber):
        return _dispatches(info, accountNumber, models.DispatchStatus.COMPLETED)

    @staticmethod
    def resolve_flexPlannedDispatches(root, info, deviceId):
        """The device's dispatch plan. The viewer's smart meter (a device of theirs SmartFlex does not
        dispatch) has none: []. KT-CT-1111 for any other device that is not the viewer's, KT-CT-4340
        for one not live under smart control."""
        ctx = gql.context(info)
        ctx.viewer()
        try:
            device = queries.get_device(
                public_id=types.public_id_of(deviceId), account_ids=ctx.viewer_account_ids()
            )
        except queries.NoDevice as exc:
            try:
                metering_queries.smart_meter_device_of_accounts(
                    device_id=deviceId, account_ids=ctx.viewer_account_ids()
                )
            except metering_queries.NotFound:
                raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
            return []
        if device.status != models.DeviceLifecycleStatus.LIVE:
            raise gql.KrakenError(error_codes.PLANNED_DISPATCHES_UNAVAILABLE)
        return [types.flex_dispatch_view(d) for d in queries.planned_dispatches(device=device, now=ctx.now)]

    @staticmethod
    def resolve_registeredKrakenflexDevice(root, info, accountNumber):
        account = access.viewer_account(info, accountNumber)
        try:
            return queries.charging_device(account=account)
        except queries.NoDevice:
            return None

    @staticmethod
    def resolve_vehicleChargingPreferences(root, info, accountNumber):
        account = access.viewer_account(info, accountNumber)
        try:
            device = queries.charging_device(account=account)
        except queries.NoDevice:
            return None
        return gql.then(dataloaders.charging_preferences(info, device.pk), types.vehicle_preferences_view)

    @staticmethod
    def resolve_savingSessions(root, info, accountNumber=None):
        gql.context(info).viewer()
        return gql.view("SavingSessionsType")

    # --- device catalogue -------------------------------------------------------------------------

    @staticmethod
    def resolve_electricVehicles(root, info, make=None, supportedProvider=None, isIntegrationLive=None):
        gql.context(info).viewer()
        rows = queries.device_variants(
            kinds=(models.DeviceKind.ELECTRIC_VEHICLES,),
            make=make,
            provider=gql.enum_name(supportedProvider),
            is_integration_live=isIntegrationLive,
        )
        return types.by_make("ElectricVehicleType", rows, types.vehicle_model)

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
            gql.view(
                "ChargePointDevicesType",
                make=make,
                models=[gql.view("ChargePointModelsType", model=m, powerInKw=p) for m, p in rows.items()],
            )
            for make, rows in makes.items()
        ]

    @staticmethod
    def resolve_chargePointVariants(root, info):
        gql.context(info).viewer()
        rows = queries.device_variants(kinds=(models.DeviceKind.CHARGE_POINTS,))
        return types.by_make("ChargePointVariantType", rows, types.charge_point_model)

    @staticmethod
    def resolve_heatPumpVariants(root, info, make=None, isDeprecated=None):
        gql.context(info).viewer()
        rows = queries.device_variants(
            kinds=(models.DeviceKind.HEAT_PUMPS,), make=make, is_deprecated=isDeprecated
        )
        return types.by_make("HeatPumpVariantsType", rows, types.heat_pump_model)

    @staticmethod
    def resolve_batteryVariants(root, info, make=None):
        gql.context(info).viewer()
        rows = queries.device_variants(kinds=(models.DeviceKind.BATTERIES,), make=make)
        return types.by_make("BatteryVariantsType", rows, types.battery_model)

    @staticmethod
    def resolve_eligibleDeviceTypes(root, info, accountNumber):
        """Kinds the catalogue can integrate, for an account with an electricity supply."""
        account = access.viewer_account(info, accountNumber)
        if not metering_queries.has_electricity_meter_point(account_id=account.pk):
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
        account_ids = _account_ids(info, accountNumber)
        return [
            gql.view(
                "UserVehiclesType",
                vehicleId=str(d.public_id),
                information=gql.view(
                    "VehicleInformationType",
                    vin=None,
                    brand=d.vendor,
                    model=d.model,
                    year=d.variant.year if d.variant is not None else None,
                    displayName=d.name or None,
                ),
            )
            for d in queries.vehicles_of_accounts(
                account_ids=account_ids, provider=gql.enum_name(supportedProvider)
            )
        ]

    @staticmethod
    def resolve_batteryDevice(root, info, accountNumber, propertyId):
        return _device_at_property(info, accountNumber, propertyId, models.DeviceKind.BATTERIES)

    @staticmethod
    def resolve_heatPumpDevice(root, info, accountNumber, propertyId):
        return _device_at_property(info, accountNumber, propertyId, models.DeviceKind.HEAT_PUMPS)

    # --- heat pump controllers --------------------------------------------------------------------

    @staticmethod
    def resolve_octoHeatPumpControllerEuids(root, info, accountNumber=None):
        return queries.controller_euids(account_ids=_account_ids(info, accountNumber))

    @staticmethod
    def resolve_octoHeatPumpControllerStatus(root, info, accountNumber, euid):
        return types.controller_status(_controller(info, accountNumber, euid))

    @staticmethod
    def resolve_heatPumpControllerStatus(root, info, accountNumber, euid):
        return types.controller_status(_controller(info, accountNumber, euid))

    @staticmethod
    def resolve_octoHeatPumpControllerConfiguration(root, info, accountNumber, euid):
        return types.controller_configuration(_controller(info, accountNumber, euid))

    @staticmethod
    def resolve_heatPumpStatus(root, info, accountNumber):
        return types.heat_pump_status(_controller(info, accountNumber, None))
