import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from cdr import demo as cdr_demo
from kraken import demo, demo_catalogue, demo_graphql


class Command(BaseCommand):
    help = "Load the demo data set (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=300)

    def handle(self, *args, accounts, **options):
        started = time.monotonic()
        now = timezone.now()
        summary = demo.load_demo_data(now=now, account_count=accounts)
        demo_graphql.load(now=now)
        cdr_summary = cdr_demo.load(now=now)
        rest_summary = demo_catalogue.load(now=now)
        verb = "Loaded" if summary.created else "Demo data already present:"
        made = (
            f" ({summary.half_hours:,} half hours, {summary.readings:,} register reads, {summary.bills:,} bills, "
            f"{summary.payments:,} payments)"
            if summary.created
            else ""
        )
        self.stdout.write(
            f"{verb} {summary.accounts} demo accounts in {time.monotonic() - started:.1f}s{made}"
        )
        self.stdout.write(
            f"  demo customer login: {demo.DEMO_CUSTOMER_EMAIL} / {demo.DEMO_CUSTOMER_PASSWORD}"
        )
        self.stdout.write(f"  import API key ({demo.DEMO_IMPORT_SUPPLIER}): {demo.DEMO_IMPORT_API_KEY}")
        if rest_summary.api_key:
            self.stdout.write(
                f"  demo customer's API key (REST v1 Basic auth, obtainKrakenToken APIKey): {rest_summary.api_key}"
            )
        self.stdout.write(
            f"  CDR bearer token ({cdr_demo.DEMO_CUSTOMER_EMAIL}'s AU accounts): {cdr_summary.token}"
        )
