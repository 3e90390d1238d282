"""The hot lookups are planned on their indexes: each runs through its real query function (or the
ORM queryset a door builds), the statements it sent are EXPLAINed, and the plan must read the
intended index (and, for half-hourly data, only the month's partition), never a whole table.

The data: 3,000 accounts of the scale data set (seed 11, about 20,000 register reads, half-hourly
data for a share of smart meters, a month's bills), analysed, in one transaction rolled back after
the module's tests."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import models as accounts
from accounts import queries as accounts_queries
from billing import models as billing
from billing import queries as billing_queries
from kernel import ranges
from kraken import scale_data
from metering import models as metering
from metering import queries as metering_queries

NOW = dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)
SEED = 11
FEBRUARY = ranges.Period(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
INDEX_SCANS = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


@pytest.fixture(scope="module")
def scale_data_set(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOW, tick=False):
            call_command(
                "generate_scale_data", "--accounts", "3000", "--seed", str(SEED), stdout=io.StringIO()
            )
        yield
        transaction.set_rollback(True)


def scans(fn: Callable[[], object], *, seqscan: bool = True) -> list[tuple[str, str, str]]:
    """(node type, relation, index) of every scan in the plans of the SELECTs `fn` sends. Without
    `seqscan` the planner avoids whole-table reads wherever an index can answer: for a shape whose
    index only pays on a table far bigger than the test's."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    found = []
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET enable_seqscan = off")
        try:
            for query in captured.captured_queries:
                if not query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                found.extend(_scans(cursor.fetchone()[0][0]["Plan"]))
        finally:
            cursor.execute("RESET enable_seqscan")
    return found


def _scans(plan: dict, heap: str = "") -> Iterator[tuple[str, str, str]]:
    """A bitmap heap scan is reported as the bitmap index scans under it, on its relation."""
    node = plan["Node Type"]
    if node == "Bitmap Heap Scan":
        heap = plan["Relation Name"]
    elif "Scan" in node:
        yield node, plan.get("Relation Name", heap), plan.get("Index Name", "")
    for child in plan.get("Plans", []):
        yield from _scans(child, heap if node in {"Bitmap Heap Scan", "BitmapAnd", "BitmapOr"} else "")


def index_of(found, relation: str) -> set[str]:
    """The indexes the plans read `relation` by; fails if any read of it is not by an index."""
    reads = [(node, index) for node, rel, index in found if rel == relation]
    assert reads, f"{relation} is not read: {found}"
    assert all(node in INDEX_SCANS for node, _ in reads), found
    return {index for _, index in reads}


def account(index: int) -> accounts.Account:
    return accounts.Account.objects.get(number=scale_data.account_number(SEED, index))


@pytest.mark.django_db
@pytest.mark.usefixtures("scale_data_set")
class TestHotLookupPlans:
    def test_reads_an_account_by_its_number_on_the_unique_index(self):
        number = scale_data.account_number(SEED, 17)

        found = scans(lambda: list(accounts.Account.objects.filter(number=number)))

        # Either b-tree on the number answers equality; the pattern one also answers prefixes.
        assert index_of(found, "accounts_account") <= {
            "accounts_account_number_key",
            "accounts_account_number_3ee823f0_like",
        }

    def test_lists_accounts_newest_first_on_the_ordering_index(self):
        found = scans(lambda: list(accounts.Account.objects.order_by("-created_at", "-id")[:100]))

        assert index_of(found, "accounts_account") == {"account_newest_first"}

    def test_searches_account_numbers_by_prefix_on_the_pattern_index(self):
        prefix = scale_data.account_number(SEED, 17)[:6]

        found = scans(lambda: accounts_queries.account_ids_by_identifier(term=prefix))

        assert index_of(found, "accounts_account") == {"accounts_account_number_3ee823f0_like"}

    def test_searches_emails_on_the_upper_case_indexes(self):
        email = scale_data.email(SEED, 17).upper()

        found = scans(lambda: accounts_queries.account_ids_by_identifier(term=email))

        assert index_of(found, "accounts_user") == {"user_email_upper"}
        assert index_of(found, "accounts_account") == {"account_billing_email_upper"}

    def test_searches_postcodes_on_the_normalised_key(self):
        postcode = account(17).billing_address.postcode.lower().replace(" ", "")

        found = scans(lambda: accounts_queries.account_ids_by_identifier(term=postcode))

        assert index_of(found, "accounts_address") == {"address_postcode_key"}

    def test_searches_names_on_the_trigram_index(self):
        # A name is in one account of 90 here, so on 3,000 rows reading them all is cheaper.
        found = scans(
            lambda: list(accounts.Account.objects.filter(billing_name__icontains="ada lovel")[:50]),
            seqscan=False,
        )

        assert index_of(found, "accounts_account") == {"account_name_trgm"}

    def test_finds_accounts_by_mpan_on_the_identifier_pattern_index(self):
        customer = account(17)
        mpan = metering.MeterPoint.objects.get(
            property__account=customer, utility_type="ELECTRICITY"
        ).identifier

        found = scans(lambda: metering_queries.account_ids_by_meter_point(term=mpan))

        assert index_of(found, "metering_meterpoint") == {"meter_point_identifier_prefix"}

    def test_finds_accounts_by_the_start_of_an_mpan_on_the_same_index(self):
        customer = account(17)
        mpan = metering.MeterPoint.objects.get(
            property__account=customer, utility_type="ELECTRICITY"
        ).identifier

        found = scans(lambda: metering_queries.account_ids_by_meter_point(term=mpan[:10]))
        ids = metering_queries.account_ids_by_meter_point(term=f"{mpan[:5]} {mpan[5:10]}")

        assert index_of(found, "metering_meterpoint") == {"meter_point_identifier_prefix"}
        assert customer.pk in ids

    def test_reads_an_accounts_ledger_newest_first_by_ledger(self):
        customer = account(17)

        found = scans(lambda: accounts_queries.ledger_with_running_balance(account=customer, limit=20))

        # Any index led by the ledger: with one entry a ledger here, the planner's pick among them
        # follows the sampled statistics.
        assert index_of(found, "accounts_ledgerentry") <= {
            "accounts_le_ledger__02f8fe_idx",
            "accounts_ledgerentry_ledger_id_0ab7dbe9",
            "unique_ledger_reference",
        }

    def test_reads_an_accounts_bills_by_account(self):
        customer = account(17)

        found = scans(lambda: billing_queries.bills_of_account(account_id=customer.pk, limit=10))

        assert index_of(found, "billing_bill") <= {
            "billing_bill_account_id_ebd68bac",
            "billing_bil_account_995b49_idx",
        }

    def test_reads_a_month_of_half_hours_from_that_months_partition_only(self):
        meter = (
            metering.Meter.objects.filter(
                meter_point__property__account__number__startswith=f"A-{SEED:02X}",
                interval_readings__isnull=False,
            )
            .distinct()
            .first()
        )
        query = metering_queries.ConsumptionQuery(
            period=FEBRUARY, grouping=None, newest_first=True, offset=0, limit=100, tz="Europe/London"
        )

        found = scans(lambda: metering_queries.consumption_page(meter_id=meter.pk, query=query))

        partitions = {rel for _, rel, _ in found if rel.startswith("metering_interval_reading")}
        assert partitions == {"metering_interval_reading_y2026m02"}
        assert index_of(found, "metering_interval_reading_y2026m02") == {
            "metering_interval_reading_y2026m02_pkey"
        }

    def test_reads_the_agreement_of_a_meter_point_at_a_time_by_meter_point(self):
        point = metering.MeterPoint.objects.filter(property__account=account(17)).first()

        found = scans(
            lambda: list(
                billing.Agreement.objects.filter(meter_point=point).active_at(NOW).select_related("tariff")
            )
        )

        assert index_of(found, "billing_agreement") <= {
            "billing_agreement_meter_point_id_b80d508c",
            "no_overlapping_agreements_per_meter_point",
        }

    # What deleting a user or an account asks of the tables every bill writes (the deletion
    # collector's querysets): each read on an index, although those tables carry no index of the
    # user alone (only where one is set) nor of a run item's account alone (the (account, run) key).
    def test_finds_a_users_audit_entries_on_the_index_of_those_with_an_actor(self):
        found = scans(lambda: list(accounts.AuditEntry.objects.filter(actor_id__in=[1])), seqscan=False)

        assert index_of(found, "accounts_auditentry") == {"audit_entry_actor"}

    def test_finds_a_users_ledger_entries_on_the_index_of_those_with_a_creator(self):
        found = scans(lambda: list(accounts.LedgerEntry.objects.filter(created_by_id__in=[1])), seqscan=False)

        assert index_of(found, "accounts_ledgerentry") == {"ledger_entry_created_by"}

    def test_finds_an_accounts_billing_run_items_on_the_account_and_run_key(self):
        customer = account(17)

        found = scans(
            lambda: list(billing.BillingRunItem.objects.filter(account_id__in=[customer.pk])), seqscan=False
        )

        assert index_of(found, "billing_billingrunitem") == {"one_item_per_run_account"}
