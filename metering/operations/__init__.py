"""Writes to metering: customer meter readings, smart-meter interval data, smart device
registrations and bulk loads. Each public function is one business operation in one transaction."""

from metering.operations._bulk import (
    MeterPointRow,
    MeterReading,
    MeterRow,
    RegisterRow,
    ReservedIds,
    copy_meter_points,
    copy_meter_readings,
    reserve_ids,
)
from metering.operations._industry import (
    MeterPointDetails,
    ReadingRow,
    RegisterDetails,
    copy_readings,
    end_supply,
    record_industry_details,
)
from metering.operations._intervals import (
    HALF_HOUR,
    HalfHourlySeries,
    IntervalRow,
    IntervalValue,
    InvalidIntervals,
    copy_interval_readings,
    copy_interval_series,
    ensure_interval_partitions,
    record_interval_readings,
)
from metering.operations._readings import InvalidReadings, ReadingError, submit_customer_reading
from metering.operations._smart_devices import (
    InvalidSmartDevice,
    RegistrationNotPermitted,
    SmartDeviceAlreadyRegistered,
    SmartDeviceDetails,
    register_smart_device,
)

__all__ = [
    "HALF_HOUR",
    "HalfHourlySeries",
    "IntervalRow",
    "IntervalValue",
    "InvalidIntervals",
    "InvalidReadings",
    "InvalidSmartDevice",
    "MeterPointDetails",
    "ReadingRow",
    "RegisterDetails",
    "MeterPointRow",
    "MeterRow",
    "ReadingError",
    "RegisterRow",
    "RegistrationNotPermitted",
    "ReservedIds",
    "SmartDeviceAlreadyRegistered",
    "SmartDeviceDetails",
    "copy_interval_readings",
    "copy_interval_series",
    "copy_readings",
    "end_supply",
    "MeterReading",
    "copy_meter_points",
    "copy_meter_readings",
    "ensure_interval_partitions",
    "record_industry_details",
    "record_interval_readings",
    "register_smart_device",
    "reserve_ids",
    "submit_customer_reading",
]
