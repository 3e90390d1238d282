"""`manage.py generate_scale_data`: the scale data set's shape at N=200, reproducibility per seed,
and a second load of a seed refused while another seed appends."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from accounts import models as accounts
from billing import models as billing
from devices import models as devices
from imports.rules import checks
from metering import models as metering

NOW = dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)
N = 200


def generate(*arguments: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("generate_scale_data", *arguments, stdout=out)
    return out.getvalue()


def snapshot(seed_prefix: str) -> dict:
    """Every generated row of a seed by its public identifiers (primary keys and bill numbers come
    from sequences and are left out)."""
    account_rows = accounts.Account.objects.filter(number__startswith=seed_prefix)
    return {
        "accounts": list(
            account_rows.order_by("number").values_list(
                "number",
                "billing_name",
                "billing_email",
                "billing_address__line_1",
                "billing_address__postcode",
            )
        ),
        "properties": sorted(
            accounts.Property.objects.filter(account__in=account_rows).values_list(
                "account__number", "public_id"
            )
        ),
        "meter_points": sorted(
            metering.MeterPoint.objects.filter(property__account__in=account_rows).values_list(
                "identifier", "utility_type", "gsp_group_id", "ldz", "estimated_annual_consumption"
            )
        ),
        "readings": sorted(
            metering.Reading.objects.filter(
                register__meter__meter_point__property__account__in=account_rows
            ).values_list(
                "register__meter__serial_number", "register__identifier", "read_at", "value", "source"
            )
        ),
        "half_hours": sorted(
            metering.IntervalReading.objects.filter(meter__meter_point__property__account__in=account_rows)
            .values("meter__serial_number")
            .annotate(count=Count("interval_start"), total=Sum("consumption"))
            .values_list("meter__serial_number", "count", "total")
        ),
        "bills": sorted(
            billing.Bill.objects.filter(account__in=account_rows).values_list(
                "account__number", "period_start", "subtotal", "tax", "total"
            )
        ),
    }


@pytest.mark.django_db
class TestGenerateScaleData:
    def test_writes_accounts_shaped_like_the_demo_set(self):
        output = generate("--accounts", str(N), "--seed", "3")

        numbers = accounts.Account.objects.filter(number__startswith="A-03")
        assert numbers.count() == N
        assert accounts.AccountUserRole.objects.filter(account__in=numbers, role="ADMIN").count() == N
        assert accounts.Ledger.objects.filter(account__in=numbers).count() == N
        assert accounts.Property.objects.filter(account__in=numbers).count() == N
        points = metering.MeterPoint.objects.filter(property__account__in=numbers)
        mpans = list(points.filter(utility_type="ELECTRICITY").values_list("identifier", flat=True))
        assert len(mpans) == N
        assert all(checks.mpan_check_digit(mpan[:12]) == mpan[12] for mpan in mpans)
        assert all(checks.SUPPLY_POINT_PATTERNS[("GB", "ELECTRICITY")].fullmatch(mpan) for mpan in mpans)
        mprns = list(points.filter(utility_type="GAS").values_list("identifier", flat=True))
        assert 60 < len(mprns) < 140
        assert all(checks.SUPPLY_POINT_PATTERNS[("GB", "GAS")].fullmatch(mprn) for mprn in mprns)
        assert billing.Agreement.objects.filter(meter_point__in=points).count() == len(mpans) + len(mprns)
        registers = metering.Register.objects.filter(meter__meter_point__in=points)
        reads_per_register = set(registers.annotate(reads=Count("readings")).values_list("reads", flat=True))
        assert reads_per_register == {14}  # a read at each of 13 month starts and this month's
        smart = metering.Meter.objects.filter(meter_point__in=points, is_smart=True).count()
        assert 15 < smart < 70
        half_hourly = metering.IntervalReading.objects.filter(meter__meter_point__in=points)
        assert half_hourly.values("meter").distinct().count() > 0
        assert half_hourly.count() % (31 * 48) == 0  # whole days; no DST change in Feb
        cars = devices.Device.objects.filter(account__in=numbers, kind="ELECTRIC_VEHICLES")
        assert 0 < cars.count() < smart
        bills = billing.Bill.objects.filter(account__in=numbers)
        assert bills.count() == N
        assert set(bills.values_list("period_start", "period_end").distinct()) == {
            (dt.datetime(2026, 2, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
        }
        balance = accounts.LedgerEntry.objects.filter(ledger__account__in=numbers).balance()
        assert balance == -bills.aggregate(total=Sum("total"))["total"]
        assert output.count("accounts written") == 10

    def test_gives_the_same_rows_for_the_same_seed(self):
        snapshots = []
        for _ in range(2):
            with transaction.atomic():
                generate("--accounts", str(N), "--seed", "5")
                snapshots.append(snapshot("A-05"))
                transaction.set_rollback(True)

        assert snapshots[0] == snapshots[1]
        assert len(snapshots[0]["accounts"]) == N
        assert snapshots[0]["bills"]

    def test_gives_other_rows_for_another_seed(self):
        generate("--accounts", "20", "--seed", "6", "--no-bills")
        generate("--accounts", "20", "--seed", "7", "--no-bills")

        names_6 = [row[1:3] for row in snapshot("A-06")["accounts"]]
        names_7 = [row[1:3] for row in snapshot("A-07")["accounts"]]
        assert names_6 != names_7

    def test_refuses_a_seed_already_loaded_and_appends_another(self):
        generate("--accounts", "20", "--seed", "8", "--no-bills")

        with pytest.raises(CommandError, match="Seed 8 is already loaded"):
            generate("--accounts", "20", "--seed", "8", "--no-bills")
        generate("--accounts", "30", "--seed", "9", "--no-bills")

        assert accounts.Account.objects.filter(number__startswith="A-08").count() == 20
        assert accounts.Account.objects.filter(number__startswith="A-09").count() == 30

    def test_refuses_a_seed_out_of_range(self):
        with pytest.raises(CommandError, match="seed must be 0 to 255"):
            generate("--accounts", "20", "--seed", "256")


@pytest.mark.django_db(transaction=True)
class TestGenerateScaleDataInWorkers:
    """Outside a transaction the chunks are written (and billed) by worker processes, each chunk
    committed on its own: a load stopped part way keeps its whole chunks and resumes."""

    def test_two_workers_write_the_same_rows_as_one_process(self):
        with transaction.atomic():
            generate("--accounts", "60", "--seed", "10")
            in_one_process = snapshot("A-0A")
            transaction.set_rollback(True)

        output = generate("--accounts", "60", "--seed", "10", "--workers", "2")

        assert snapshot("A-0A") == in_one_process
        assert len(in_one_process["bills"]) == 60
        assert output.count("accounts written") == 10

    def test_a_load_stopped_by_a_refused_row_keeps_its_chunks_and_resumes(self):
        from django.contrib.auth import get_user_model

        from kraken import scale_data

        # Another data set holds the login of account 130: its chunk (the seventh of ten) is refused.
        holder = get_user_model().objects.create(username=scale_data.email(11, 130))

        with pytest.raises(CommandError, match="Accounts 120 to 139"):
            generate("--accounts", str(N), "--seed", "11", "--workers", "1")

        assert accounts.Account.objects.filter(number__startswith="A-0B").count() == 120
        holder.delete()
        output = generate("--accounts", str(N), "--seed", "11", "--workers", "2")

        assert "Resuming: 80 accounts of 200 to write" in output
        numbers = accounts.Account.objects.filter(number__startswith="A-0B")
        assert numbers.count() == N
        assert billing.Bill.objects.filter(account__in=numbers).count() == N
        with pytest.raises(CommandError, match="Seed 11 is already loaded"):
            generate("--accounts", str(N), "--seed", "11")

    def test_refuses_to_resume_with_another_number_of_accounts(self):
        generate("--accounts", "20", "--seed", "12", "--no-bills", "--workers", "1")

        with pytest.raises(CommandError, match="partly loaded with another number of accounts"):
            generate("--accounts", "25", "--seed", "12", "--no-bills")
