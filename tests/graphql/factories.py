"""Factories for the rows the GraphQL roots added beyond the foundation: saving sessions, loyalty
points and smart meter telemetry."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts import models as accounts_models
from devices import models as devices_models
from metering import models as metering_models
from tests.accounts.factories import AccountFactory, UserFactory
from tests.metering.factories import MeterFactory, MeterPointFactory


class SavingSessionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.SavingSessionEvent

    code = factory.Sequence(lambda n: f"EVENT-{n:04d}")
    start_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    end_at = factory.LazyAttribute(lambda o: o.start_at + dt.timedelta(hours=1))
    reward_per_kwh_points = 1800


class SavingSessionEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.SavingSessionEnrolment

    account = factory.SubFactory(AccountFactory)
    meter_point = factory.SubFactory(MeterPointFactory, property__account=factory.SelfAttribute("...account"))
    joined_at = factory.LazyFunction(timezone.now)


class SavingSessionParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.SavingSessionParticipation

    event = factory.SubFactory(SavingSessionEventFactory)
    account = factory.SubFactory(AccountFactory)
    joined_at = factory.LazyFunction(timezone.now)


class LoyaltyPointEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = accounts_models.LoyaltyPointLedgerEntry

    user = factory.SubFactory(UserFactory)
    account = None
    points = 800
    reason = accounts_models.LoyaltyPointReason.SAVING_SESSION_REWARD
    reference = factory.Sequence(lambda n: f"reward-{n}")
    posted_at = factory.LazyFunction(timezone.now)


class SmartMeterDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = metering_models.SmartMeterDevice

    meter = factory.SubFactory(MeterFactory)
    device_id = factory.Sequence(lambda n: f"00-11-22-33-44-55-{n // 256:02X}-{n % 256:02X}")
    paired_at = factory.LazyFunction(timezone.now)


class DeviceVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.DeviceVariant

    variant_id = factory.Sequence(lambda n: 10_000 + n)
    kind = devices_models.DeviceKind.ELECTRIC_VEHICLES
    make = "Tesla"
    model = factory.Sequence(lambda n: f"Model {n}")
    is_integration_live = True


class HeatPumpControllerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.HeatPumpController

    euid = factory.Sequence(lambda n: f"00:1e:5e:09:02:00:{n // 256:02x}:{n % 256:02x}")
    device = factory.SubFactory(
        "tests.devices.factories.DeviceFactory",
        kind=devices_models.DeviceKind.HEAT_PUMPS,
        provider=devices_models.Provider.DAIKIN,
        vendor="Daikin",
        model="Altherma",
    )


class HeatPumpZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.HeatPumpZone

    controller = factory.SubFactory(HeatPumpControllerFactory)
    zone = devices_models.Zone.ZONE_1
    zone_type = devices_models.ZoneType.HEAT


class HeatPumpSensorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = devices_models.HeatPumpSensor

    controller = factory.SubFactory(HeatPumpControllerFactory)
    code = factory.Sequence(lambda n: f"SENSOR{n:02d}")
    sensor_type = devices_models.SensorKind.ZIGBEE


AT = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)


def controller_with_state(account, **device):
    """A heat pump controller of the account with a zone, a Zigbee and an NTC sensor, each having
    reported at AT; `device` sets fields of its device (e.g. `property`)."""
    controller = HeatPumpControllerFactory(
        device__account=account,
        **{f"device__{name}": value for name, value in device.items()},
        firmware_esp32="v2.1.4",
        states=["NORMAL_MODE"],
        is_connected=True,
        heat_pump_serial_number="HP-1",
        fault_codes=["E1"],
        max_water_setpoint_celsius=Decimal("60"),
        climate_control_enabled=True,
        target_climate_control_celsius=Decimal("20.5"),
        current_climate_control_celsius=Decimal("19.8"),
        water_heating_enabled=False,
    )
    zone = HeatPumpZoneFactory(
        controller=controller,
        display_name="Downstairs",
        primary_sensor="SENSOR01",
        mode="AUTO",
        setpoint_celsius=Decimal("20.5"),
        relay_switched_on=True,
        heat_demand=True,
        reported_at=AT,
    )
    HeatPumpSensorFactory(
        controller=controller,
        zone=zone,
        code="SENSOR01",
        zigbee_id="0x01",
        is_online=True,
        temperature_celsius=Decimal("19.8"),
        humidity_percentage=48,
        rssi=-61,
        reported_at=AT,
    )
    HeatPumpSensorFactory(controller=controller, zone=zone, code="ADC1", sensor_type="NTC")
    return controller
