"""Demo rows for the customer graph's later roots, on top of `kraken.demo`'s accounts: saving
session events with enrolments, participations and their results, the loyalty points those
results earned, and a day of smart meter telemetry for the demo customer.

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
from kraken import demo
from metering import models as metering

EVENT_PREFIX = "DEMO-SAVING-SESSION-"
ENROLLED_ACCOUNTS = 120
TELEMETRY_STEP = timedelta(minutes=1)
TELEMETRY_SPAN = timedelta(days=1)
DEMO_DEVICE_ID = "00-DE-00-00-00-00-00-01"


@dataclasses.dataclass(frozen=True)
class Summary:
    created: bool
    events: int = 0
    enrolments: int = 0
    participations: int = 0
    telemetry_samples: int = 0


def load(*, now: datetime, seed: int = 7) -> Summary:
    """Add the demo rows unless there are no demo accounts or the rows exist already."""
    rng = random.Random(seed)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [demo.ADVISORY_LOCK_ID])
        if devices.SavingSessionEvent.objects.filter(code__startswith=EVENT_PREFIX).exists():
            return Summary(created=False)
        meter_points = list(
            metering.MeterPoint.objects.filter(
                property__account__number__startswith="A-DE",
                utility_type=metering.UtilityType.ELECTRICITY,
            )
            .select_related("property__account")
            .order_by("property__account__number")[:ENROLLED_ACCOUNTS]
        )
        if not meter_points:
            return Summary(created=False)
        events = _events(now)
        enrolments = devices.SavingSessionEnrolment.objects.bulk_create(
            [
                devices.SavingSessionEnrolment(
                    account=mp.property.account, meter_point=mp, joined_at=now - timedelta(days=30)
                )
                for mp in meter_points
            ]
        )
        participations = _participations(enrolments, events, now, rng)
        _loyalty_points(participations)
        samples = _telemetry(now, rng)
    return Summary(
        created=True,
        events=len(events),
        enrolments=len(enrolments),
        participations=len(participations),
        telemetry_samples=samples,
    )


def _events(now: datetime) -> list[devices.SavingSessionEvent]:
    evening = now.replace(hour=17, minute=30, second=0, microsecond=0)
    offsets = (-21, -14, -7, 2, 5)
    return devices.SavingSessionEvent.objects.bulk_create(
        [
            devices.SavingSessionEvent(
                code=f"{EVENT_PREFIX}{index + 1:03d}",
                start_at=evening + timedelta(days=days),
                end_at=evening + timedelta(days=days, hours=1),
                reward_per_kwh_points=1800 if days < 0 else 2400,
            )
            for index, days in enumerate(offsets)
        ]
    )


def _participations(enrolments, events, now, rng) -> list[devices.SavingSessionParticipation]:
    rows = []
    for enrolment in enrolments:
        for event in events:
            if rng.random() < 0.3:
                continue
            row = devices.SavingSessionParticipation(
                event=event, account=enrolment.account, joined_at=event.start_at - timedelta(days=1)
            )
            if event.end_at <= now:
                baseline = Decimal(rng.randrange(800, 2500)) / 1000
                used = (baseline * Decimal(rng.randrange(30, 110)) / 100).quantize(Decimal("0.001"))
                saved = max(baseline - used, Decimal(0))
                row.baseline_kwh = baseline
                row.consumption_kwh = used
                row.points_awarded = int(saved * event.reward_per_kwh_points)
                row.result_status = (
                    devices.SavingSessionResultStatus.SUCCESS
                    if saved > 0
                    else devices.SavingSessionResultStatus.FAIL
                )
                row.results_set_at = event.end_at + timedelta(days=2)
            rows.append(row)
    return devices.SavingSessionParticipation.objects.bulk_create(rows)


def _loyalty_points(participations) -> None:
    users = dict(
        accounts.AccountUserRole.objects.filter(
            account_id__in={p.account_id for p in participations}
        ).values_list("account_id", "user_id")
    )
    accounts.LoyaltyPointLedgerEntry.objects.bulk_create(
        [
            accounts.LoyaltyPointLedgerEntry(
                user_id=users[p.account_id],
                account_id=p.account_id,
                points=p.points_awarded,
                reason=accounts.LoyaltyPointReason.SAVING_SESSION_REWARD,
                reference=f"saving-session-{p.event.code}-{p.account_id}",
                posted_at=p.results_set_at,
            )
            for p in participations
            if p.points_awarded and p.account_id in users
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
