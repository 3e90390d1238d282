"""Demo rows for the customer graph's later roots, on top of `kraken.demo`'s accounts: saving
session events with enrolments and participations, settled from the half-hourly data (which pays
the loyalty points), a day of smart meter telemetry for the demo customer, a device catalogue, and a
heat pump with its controller's last reported state for the demo customer.

Idempotent: nothing happens without demo accounts or when the demo events exist already. Runs in
one transaction under the same advisory lock as `kraken.demo`.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction

from accounts import models as accounts
from devices import models as devices
from devices import operations as devices_operations
from imports import models as imports
from imports import queries as import_queries
from kraken import demo
from metering import models as metering

EVENT_PREFIX = "DEMO-SAVING-SESSION-"
# Results are set once the half-hourly data of the event is in.
SETTLED_AFTER = timedelta(days=2)
ENROLLED_ACCOUNTS = 120
TELEMETRY_STEP = timedelta(minutes=1)
TELEMETRY_SPAN = timedelta(days=1)
DEMO_DEVICE_ID = "00-DE-00-00-00-00-00-01"
DEMO_CONTROLLER_EUID = "00:1e:5e:09:02:de:00:01"
# (kind, make, model, extra fields): a small catalogue of commonly integrated devices.
CATALOGUE = [
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Tesla",
        "Model 3 Long Range",
        {
            "year": 2021,
            "available_from_year": 2019,
            "battery_capacity_kwh": Decimal("75"),
            "supported_providers": ["TESLA", "ENODE"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Nissan",
        "Leaf",
        {
            "year": 2019,
            "available_from_year": 2018,
            "battery_capacity_kwh": Decimal("40"),
            "supported_providers": ["ENODE"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Volkswagen",
        "ID.3 Pro",
        {
            "year": 2022,
            "available_from_year": 2020,
            "battery_capacity_kwh": Decimal("58"),
            "supported_providers": ["ENODE", "SMARTCAR"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Kia",
        "e-Niro",
        {
            "year": 2020,
            "available_from_year": 2019,
            "available_to_year": 2022,
            "battery_capacity_kwh": Decimal("64"),
            "supported_providers": ["ENODE"],
            "is_integration_live": False,
        },
    ),
    # The makes and models the demo's customers drive (kraken.demo's EV_MODELS), by first UK year.
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Tesla",
        "Model 3",
        {
            "year": 2019,
            "available_from_year": 2019,
            "supported_providers": ["TESLA", "ENODE"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Kia",
        "EV6",
        {
            "year": 2021,
            "available_from_year": 2021,
            "supported_providers": ["ENODE"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "Volkswagen",
        "ID.3",
        {
            "year": 2020,
            "available_from_year": 2020,
            "supported_providers": ["ENODE"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.ELECTRIC_VEHICLES,
        "MG",
        "MG4",
        {
            "year": 2022,
            "available_from_year": 2022,
            "supported_providers": ["ENODE"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.CHARGE_POINTS,
        "myenergi",
        "zappi",
        {
            "power_kw": Decimal("7"),
            "amperage": 32,
            "supported_providers": ["MYENERGI"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.CHARGE_POINTS,
        "myenergi",
        "zappi",
        {
            "power_kw": Decimal("22"),
            "amperage": 32,
            "supported_providers": ["MYENERGI"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.CHARGE_POINTS,
        "Ohme",
        "Home Pro",
        {
            "power_kw": Decimal("7.4"),
            "amperage": 32,
            "supported_providers": ["OHME"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.CHARGE_POINTS,
        "Hypervolt",
        "Home 3 Pro",
        {
            "power_kw": Decimal("7.4"),
            "amperage": 32,
            "supported_providers": ["HYPERVOLT"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.HEAT_PUMPS,
        "Daikin",
        "Altherma 3 H HT",
        {"power_kw": Decimal("8"), "supported_providers": ["DAIKIN"], "is_integration_live": True},
    ),
    (
        devices.DeviceKind.HEAT_PUMPS,
        "Octopus Energy",
        "Cosy 6",
        {"power_kw": Decimal("6"), "is_integration_live": True},
    ),
    (
        devices.DeviceKind.HEAT_PUMPS,
        "Mitsubishi",
        "Ecodan 8.5",
        {"power_kw": Decimal("8.5"), "is_deprecated": True},
    ),
    (
        devices.DeviceKind.BATTERIES,
        "GivEnergy",
        "All in One",
        {
            "battery_capacity_kwh": Decimal("13.5"),
            "power_kw": Decimal("6"),
            "coupling_type": "AC",
            "supported_providers": ["GIVENERGY"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.BATTERIES,
        "Tesla",
        "Powerwall 2",
        {
            "battery_capacity_kwh": Decimal("13.5"),
            "power_kw": Decimal("5"),
            "coupling_type": "AC",
            "supported_providers": ["TESLA"],
            "is_integration_live": True,
        },
    ),
    (
        devices.DeviceKind.BATTERIES,
        "Enphase",
        "IQ Battery 5P",
        {
            "battery_capacity_kwh": Decimal("5"),
            "power_kw": Decimal("3.84"),
            "coupling_type": "AC",
            "supported_providers": ["ENPHASE"],
        },
    ),
]
FIRST_VARIANT_ID = 90_001


@dataclasses.dataclass(frozen=True)
class Summary:
    created: bool
    events: int = 0
    enrolments: int = 0
    participations: int = 0
    telemetry_samples: int = 0
    device_variants: int = 0
    heat_pump_controllers: int = 0


def load(*, now: datetime, seed: int = 7) -> Summary:
    """Add the demo rows unless there are no demo accounts or the rows exist already. Each part
    (saving sessions with points and telemetry, the device catalogue, the demo customer's heat
    pump controller) is added once, on its own, so a database loaded before a part existed gets it.

    Saving sessions go through the product: accounts join the campaign and the events, and the
    events that have ended are settled from the meters' half-hourly data, which pays the points."""
    rng = random.Random(seed)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [demo.ADVISORY_LOCK_ID])
        meter_points = _demo_meter_points()
        if not meter_points:
            return Summary(created=False)
        variants = _catalogue()
        controllers = _heat_pump_controller(now)
        if devices.SavingSessionEvent.objects.filter(code__startswith=EVENT_PREFIX).exists():
            return Summary(
                created=bool(variants or controllers),
                device_variants=variants,
                heat_pump_controllers=controllers,
            )
        events = _events(now)
        enrolments = [
            devices_operations.join_saving_sessions_campaign(
                account=mp.property.account, meter_point=mp, now=now - timedelta(days=30)
            )
            for mp in meter_points
        ]
        participations = [
            devices_operations.join_saving_session_event(
                account=enrolment.account, event=event, now=event.start_at - timedelta(days=1)
            )
            for enrolment in enrolments
            for event in events
            if rng.random() >= 0.3 or enrolment.account_id == meter_points[0].property.account_id
        ]
        for event in events:
            if event.end_at + SETTLED_AFTER <= now:
                devices_operations.settle_saving_session(event=event, now=event.end_at + SETTLED_AFTER)
        samples = _telemetry(now, rng)
    return Summary(
        created=True,
        events=len(events),
        enrolments=len(enrolments),
        participations=len(participations),
        telemetry_samples=samples,
        device_variants=variants,
        heat_pump_controllers=controllers,
    )


def _demo_meter_points() -> list[metering.MeterPoint]:
    """The electricity meter points of the accounts the demo imported, the demo customer's first."""
    try:
        supplier = import_queries.get_supplier(code=demo.DEMO_IMPORT_SUPPLIER)
    except imports.ImportSupplier.DoesNotExist:
        return []
    account_ids = import_queries.account_imports(supplier=supplier).values_list("account_id", flat=True)
    points = list(
        metering.MeterPoint.objects.filter(
            property__account_id__in=account_ids, utility_type=metering.UtilityType.ELECTRICITY
        )
        .select_related("property__account")
        .order_by("identifier")[:ENROLLED_ACCOUNTS]
    )
    return points


def _events(now: datetime) -> list[devices.SavingSessionEvent]:
    return devices.SavingSessionEvent.objects.bulk_create(
        [
            devices.SavingSessionEvent(
                code=f"{EVENT_PREFIX}{index + 1:03d}",
                start_at=start,
                end_at=start + timedelta(hours=1),
                reward_per_kwh_points=1800 if start < now else 2400,
            )
            for index, start in enumerate(demo.saving_session_starts(now))
        ]
    )


def _telemetry(now: datetime, rng: random.Random) -> int:
    meter = (
        metering.Meter.objects.filter(
            meter_point__property__account__user_roles__user__email=demo.DEMO_CUSTOMER_EMAIL,
            meter_point__utility_type=metering.UtilityType.ELECTRICITY,
            is_smart=True,
        )
        .order_by("id")
        .first()
    )
    if meter is None:
        return 0
    device = metering.SmartMeterDevice.objects.create(
        meter=meter, device_id=DEMO_DEVICE_ID, paired_at=now - TELEMETRY_SPAN
    )
    start = (now - TELEMETRY_SPAN).replace(second=0, microsecond=0)
    register = Decimal("12000.000")
    samples = []
    moment = start
    while moment < now:
        watts = Decimal(rng.randrange(150, 3500))
        register += (watts * Decimal(TELEMETRY_STEP.total_seconds()) / 3600 / 1000).quantize(Decimal("0.001"))
        samples.append(
            metering.TelemetryReading(device=device, read_at=moment, consumption_kwh=register, demand_w=watts)
        )
        moment += TELEMETRY_STEP
    metering.TelemetryReading.objects.bulk_create(samples, batch_size=2000)
    return len(samples)


def _catalogue() -> int:
    """The device catalogue, once; demo devices of a catalogued make and model are linked to it."""
    if devices.DeviceVariant.objects.filter(variant_id__gte=FIRST_VARIANT_ID).exists():
        return 0
    variants = devices.DeviceVariant.objects.bulk_create(
        devices.DeviceVariant(variant_id=FIRST_VARIANT_ID + index, kind=kind, make=make, model=model, **extra)
        for index, (kind, make, model, extra) in enumerate(CATALOGUE)
    )
    for variant in variants:
        devices.Device.objects.filter(
            kind=variant.kind, vendor__iexact=variant.make, model__iexact=variant.model, variant__isnull=True
        ).update(variant=variant)
    # The demo's cars charge at home on a 7 kW charger (kraken.demo's usage): a 7 kW zappi.
    home_charger = next(
        v for v in variants if v.kind == devices.DeviceKind.CHARGE_POINTS and v.power_kw == Decimal("7")
    )
    devices.Device.objects.filter(
        kind=devices.DeviceKind.ELECTRIC_VEHICLES, charge_point_variant__isnull=True
    ).update(charge_point_variant=home_charger)
    return len(variants)


def _heat_pump_controller(now: datetime) -> int:
    """A heat pump with its controller, two zones and three sensors for the demo customer, once."""
    if devices.HeatPumpController.objects.filter(euid=DEMO_CONTROLLER_EUID).exists():
        return 0
    prop = (
        accounts.Property.objects.filter(account__user_roles__user__email=demo.DEMO_CUSTOMER_EMAIL)
        .select_related("account")
        .order_by("id")
        .first()
    )
    if prop is None:
        return 0
    variant = devices.DeviceVariant.objects.filter(kind=devices.DeviceKind.HEAT_PUMPS, model="Cosy 6").first()
    heat_pump = devices.Device.objects.create(
        account=prop.account,
        property=prop,
        kind=devices.DeviceKind.HEAT_PUMPS,
        provider=devices.Provider.DAIKIN,
        vendor=variant.make if variant else "Octopus Energy",
        model=variant.model if variant else "Cosy 6",
        name="Heat pump",
        status=devices.DeviceLifecycleStatus.LIVE,
        state=devices.DeviceState.SMART_CONTROL_CAPABLE,
        max_power_kw=Decimal("6"),
        variant=variant,
    )
    reported = now.replace(microsecond=0) - timedelta(minutes=2)
    controller = devices.HeatPumpController.objects.create(
        euid=DEMO_CONTROLLER_EUID,
        device=heat_pump,
        firmware_esp32="v2.1.4",
        firmware_efr32="v1.9.0",
        states=[devices.ControllerState.NORMAL_MODE],
        heat_pump_timezone="Europe/London",
        is_connected=True,
        last_reset_at=now - timedelta(days=12),
        heat_pump_serial_number="COSY6-DEMO-000001",
        heat_pump_hardware_version="1.2",
        manifold_enabled=False,
        has_heat_pump_compatible_cylinder=True,
        min_water_setpoint_celsius=Decimal("40"),
        max_water_setpoint_celsius=Decimal("60"),
        climate_control_enabled=True,
        target_climate_control_celsius=Decimal("20.5"),
        current_climate_control_celsius=Decimal("19.8"),
        water_heating_enabled=True,
        current_water_celsius=Decimal("48.5"),
        reported_at=reported,
    )
    heating, water = devices.HeatPumpZone.objects.bulk_create(
        [
            devices.HeatPumpZone(
                controller=controller,
                zone=devices.Zone.ZONE_1,
                zone_type=devices.ZoneType.HEAT,
                display_name="Downstairs",
                primary_sensor="SENSOR01",
                mode=devices.ZoneMode.AUTO,
                setpoint_celsius=Decimal("20.5"),
                relay_switched_on=True,
                heat_demand=True,
                call_for_heat=True,
                emergency=False,
                reported_at=reported,
            ),
            devices.HeatPumpZone(
                controller=controller,
                zone=devices.Zone.WATER,
                zone_type=devices.ZoneType.WATER,
                display_name="Hot water",
                primary_sensor="ADC1",
                mode=devices.ZoneMode.ON,
                setpoint_celsius=Decimal("50"),
                relay_switched_on=False,
                heat_demand=False,
                call_for_heat=False,
                emergency=False,
                reported_at=reported,
            ),
        ]
    )
    devices.HeatPumpSensor.objects.bulk_create(
        [
            devices.HeatPumpSensor(
                controller=controller,
                zone=heating,
                code="SENSOR01",
                sensor_type=devices.SensorKind.ZIGBEE,
                display_name="Living room",
                zigbee_id="0x00158d0001a2b3c4",
                firmware_version="0.9.3",
                boost_enabled=True,
                is_online=True,
                temperature_celsius=Decimal("19.8"),
                humidity_percentage=48,
                rssi=-61,
                voltage=Decimal("3.01"),
                reported_at=reported,
            ),
            devices.HeatPumpSensor(
                controller=controller,
                zone=water,
                code="ADC1",
                sensor_type=devices.SensorKind.NTC,
                display_name="Cylinder",
                is_online=True,
                temperature_celsius=Decimal("48.5"),
                reported_at=reported,
            ),
            devices.HeatPumpSensor(
                controller=controller,
                code="ADC2",
                sensor_type=devices.SensorKind.NTC,
                display_name="Outdoor",
                is_online=True,
                temperature_celsius=Decimal("7.2"),
                reported_at=reported,
            ),
        ]
    )
    return 1
