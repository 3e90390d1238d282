"""The meters of newly imported demo accounts: industry details (LDZ, GSP group, how registers
record), their devices and dispatches, and their readings through metering's bulk paths: half hours
for smart meters (with their register reads), register reads for traditional ones."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from devices import models as devices
from kernel import ranges
from kraken.demo import _constants as c
from kraken.demo import _population as p
from kraken.demo import _usage
from metering import models as metering
from metering import operations as metering_operations

OFF_PEAK_SLOTS = {p.GO: set(range(1, 11)), p.INTELLIGENT: {47, *range(0, 11)}}


@dataclass
class Meters:
    """The meters and registers the import made for one plan."""

    electricity_point: metering.MeterPoint
    electricity_meter: metering.Meter
    electricity_registers: list[metering.Register]
    gas_point: metering.MeterPoint | None = None
    gas_meter: metering.Meter | None = None


def meters_of(*, plans: list[p.Plan]) -> dict[int, Meters]:
    """The imported meters of `plans`, by plan index (two queries)."""
    by_identifier = {plan.mpan: plan for plan in plans} | {plan.mprn: plan for plan in plans if plan.gas}
    found: dict[int, Meters] = {}
    meters = (
        metering.Meter.objects.filter(meter_point__identifier__in=by_identifier)
        .select_related("meter_point")
        .prefetch_related("registers")
        .order_by("id")
    )
    for meter in meters:
        plan = by_identifier[meter.meter_point.identifier]
        if meter.meter_point.utility_type == metering.UtilityType.GAS:
            entry = found.setdefault(plan.index, Meters(None, None, []))
            entry.gas_point, entry.gas_meter = meter.meter_point, meter
        else:
            registers = sorted(meter.registers.all(), key=lambda register: register.identifier)
            current = found.get(plan.index)
            found[plan.index] = Meters(meter.meter_point, meter, registers)
            if current is not None:
                found[plan.index].gas_point, found[plan.index].gas_meter = (
                    current.gas_point,
                    current.gas_meter,
                )
    return found


def record_industry_details(*, plans: list[p.Plan], meters: dict[int, Meters], now: datetime) -> None:
    """What the industry tells us after the gain: GSP group and register bands for electricity;
    the LDZ and that the gas register records cubic metres (confirming what the import sent)."""
    details = []
    for plan in plans:
        found = meters[plan.index]
        bands = p.REGISTER_BANDS.get(plan.electricity, ("STANDARD",))
        details.append(
            metering_operations.MeterPointDetails(
                meter_point_id=found.electricity_point.pk,
                gsp_group_id=c.REGION,
                registers=tuple(
                    metering_operations.RegisterDetails(
                        meter_id=found.electricity_meter.pk, identifier=str(number), rate_band=band
                    )
                    for number, band in enumerate(bands, start=1)
                ),
            )
        )
        if found.gas_meter is not None:
            details.append(
                metering_operations.MeterPointDetails(
                    meter_point_id=found.gas_point.pk,
                    ldz=c.LDZ,
                    registers=(
                        metering_operations.RegisterDetails(
                            meter_id=found.gas_meter.pk,
                            identifier="1",
                            unit=metering.RegisterUnit.CUBIC_METRES,
                        ),
                    ),
                )
            )
    metering_operations.record_industry_details(details=details, recorded_at=now)


class MeterData:
    """Writes the meter data of plans as they are imported, for the whole demo history."""

    def __init__(self, *, now: datetime, tz: ZoneInfo, rng: random.Random, sessions: list[datetime]) -> None:
        self.now = now
        self.tz = tz
        self.rng = rng
        self.sessions = sessions
        self.until = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tzinfo=tz)
        self.interval_series: list[metering_operations.HalfHourlySeries] = []
        self.reading_rows: list[metering_operations.ReadingRow] = []

    def add(self, *, plan: p.Plan, meters: Meters, account_id: int, property_id: int) -> list[ranges.Period]:
        """Queue the plan's readings; write its devices and dispatches. Returns its dispatches."""
        end = min(plan.moved_out or self.until, self.until)
        boundaries = self._month_starts(plan.joined, end)
        dispatches = _usage.dispatches(plan=plan, start=plan.joined, end=end, tz=self.tz, rng=self.rng)
        self._devices(plan, account_id, property_id, dispatches)
        registers = meters.electricity_registers
        reads_at = [plan.joined, *boundaries] + ([end] if plan.moved_out else [])
        if plan.smart:
            grid = _usage.half_hours(plan.joined, end, self.tz)
            values = _usage.electricity(
                plan=plan, grid=grid, dispatches=dispatches, sessions=self.sessions, rng=self.rng
            )
            self._intervals(
                meters.electricity_meter.pk, grid, values, metering.RegisterUnit.KWH, plan.outage_days
            )
            off_peak = OFF_PEAK_SLOTS.get(plan.electricity)
            for position, register in enumerate(registers):
                split = (
                    values
                    if off_peak is None
                    else [
                        v if (slot in off_peak) == (position == 1) else 0
                        for v, (_, slot, _) in zip(values, grid, strict=True)
                    ]
                )
                self._reads(
                    register.pk,
                    _usage.register_reads(
                        values=split, grid=grid, at=reads_at, start_value=plan.start_reads[position]
                    ),
                    metering.ReadingSource.SMART,
                )
            if meters.gas_meter is not None:
                gas = _usage.gas(plan=plan, grid=grid, rng=self.rng)
                self._intervals(
                    meters.gas_meter.pk, grid, gas, metering.RegisterUnit.CUBIC_METRES, plan.outage_days
                )
                self._reads(
                    meters.gas_meter.registers.get().pk,
                    _usage.register_reads(
                        values=gas, grid=grid, at=reads_at, start_value=plan.gas_start_read
                    ),
                    metering.ReadingSource.SMART,
                )
            return dispatches
        missed = {moment for moment in boundaries if self.rng.random() < 0.1}
        taken = [moment for moment in reads_at if moment not in missed]
        self._reads(
            registers[0].pk,
            _usage.daily_reads(
                annual=plan.annual_kwh,
                swing=0.25,
                start=plan.joined,
                end=end,
                at=taken,
                start_value=plan.start_reads[0],
                tz=self.tz,
                rng=self.rng,
            ),
            metering.ReadingSource.METER_READER,
        )
        if meters.gas_meter is not None:
            self._reads(
                meters.gas_meter.registers.get().pk,
                _usage.daily_reads(
                    annual=plan.annual_gas_kwh,
                    swing=0.85,
                    start=plan.joined,
                    end=end,
                    at=taken,
                    start_value=plan.gas_start_read,
                    tz=self.tz,
                    rng=self.rng,
                    per_unit=_usage.GAS_CUBIC_METRE_KWH,
                ),
                metering.ReadingSource.METER_READER,
            )
        return dispatches

    def write(self) -> tuple[int, int]:
        """COPY what was queued; returns (half hours, register reads) written."""
        half_hours = metering_operations.copy_interval_series(series=self.interval_series)
        metering_operations.copy_readings(rows=self.reading_rows, recorded_at=self.now)
        written = half_hours, len(self.reading_rows)
        self.interval_series, self.reading_rows = [], []
        return written

    def _month_starts(self, start: datetime, end: datetime) -> list[datetime]:
        moments, month = [], c.month_start(start, -1, self.tz)
        while month <= end:
            moments.append(month)
            month = c.month_start(month, -1, self.tz)
        return moments

    def _intervals(self, meter_id: int, grid, values: list[int], unit: str, outages) -> None:
        """Queue a meter's half hours, but none on its outage days (its feed sent nothing)."""
        if outages:
            missing = set(outages)
            values = [
                None if day in missing else value for value, (_, _, day) in zip(values, grid, strict=True)
            ]
        now = self.now
        self.interval_series.append(
            metering_operations.HalfHourlySeries(
                meter_id=meter_id,
                start=grid[0][0],
                values=values,
                unit=unit,
                recorded_at=lambda moment: min(moment.replace(hour=2, minute=0) + timedelta(days=1), now),
            )
        )

    def _reads(self, register_id: int, reads: list[tuple[datetime, int]], source: str) -> None:
        # The first is the transfer reading at supply start: the import wrote it.
        for moment, value in reads[1:]:
            self.reading_rows.append(
                metering_operations.ReadingRow(
                    register_id, moment, Decimal(value).scaleb(-3), source, metering.ReadingQuality.ACTUAL
                )
            )

    def _devices(
        self, plan: p.Plan, account_id: int, property_id: int, dispatches: list[ranges.Period]
    ) -> None:
        kinds = []
        if plan.ev:
            vendor, model = self.rng.choice(p.EV_MODELS)
            kinds.append((devices.DeviceKind.ELECTRIC_VEHICLES, devices.Provider.ENODE, vendor, model))
        if plan.index % 7 == 0:
            kinds.append(
                (devices.DeviceKind.BATTERIES, devices.Provider.GIVENERGY, "GivEnergy", "All in One")
            )
        created = devices.Device.objects.bulk_create(
            [
                devices.Device(
                    account_id=account_id,
                    property_id=property_id,
                    kind=kind,
                    provider=provider,
                    vendor=vendor,
                    model=model,
                    name="My car" if kind == devices.DeviceKind.ELECTRIC_VEHICLES else "Home battery",
                    status=devices.DeviceLifecycleStatus.LIVE,
                    state=devices.DeviceState.SMART_CONTROL_CAPABLE,
                    battery_capacity_kwh=Decimal("75.00")
                    if kind == devices.DeviceKind.ELECTRIC_VEHICLES
                    else Decimal("13.50"),
                    max_power_kw=Decimal("7.40") if kind == devices.DeviceKind.ELECTRIC_VEHICLES else None,
                )
                for kind, provider, vendor, model in kinds
            ]
        )
        cars = [device for device in created if device.kind == devices.DeviceKind.ELECTRIC_VEHICLES]
        if not cars:
            return
        car = cars[0]
        preferences = devices.DevicePreferences.objects.create(device=car)
        devices.DevicePreferenceSchedule.objects.bulk_create(
            [
                devices.DevicePreferenceSchedule(
                    preferences=preferences,
                    day_of_week=day,
                    time=datetime.min.time().replace(hour=7, minute=30),
                    max_value=Decimal(80),
                )
                for day in devices.DayOfWeek.values
            ]
        )
        rows = [
            devices.Dispatch(
                device=car,
                start_at=period.start,
                end_at=period.end,
                delta_kwh=(Decimal(7) * Decimal((period.end - period.start).seconds) / 3600).quantize(
                    Decimal("0.001")
                ),
                status=devices.DispatchStatus.COMPLETED,
                source=devices.DispatchSource.SMART,
                # The demo's smart charging happens at home: the home meter's half hours carry it.
                location="AT_HOME",
            )
            for period in dispatches
        ]
        if plan.moved_out is None:
            tonight = datetime.combine(
                self.now.astimezone(self.tz).date(), datetime.min.time(), tzinfo=self.tz
            ) + timedelta(hours=23, minutes=30)
            rows.append(
                devices.Dispatch(
                    device=car,
                    start_at=tonight,
                    end_at=tonight + timedelta(hours=6),
                    delta_kwh=Decimal("-18.500"),
                )
            )
        devices.Dispatch.objects.bulk_create(rows, batch_size=2000)
