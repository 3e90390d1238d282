import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from kraken import demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=300)

    def handle(self, *args, accounts, **options):
        started = time.monotonic()
        summary = demo.load_demo_data(now=timezone.now(), account_count=accounts)
        verb = "Loaded" if summary.created else "Demo data already present:"
        self.stdout.write(f"{verb} {summary.accounts} demo accounts in {time.monotonic() - started:.1f}s")
        self.stdout.write(
            f"  demo customer login: {demo.DEMO_CUSTOMER_EMAIL} / {demo.DEMO_CUSTOMER_PASSWORD}"
        )
        self.stdout.write(f"  import API key ({demo.DEMO_IMPORT_SUPPLIER}): {demo.DEMO_IMPORT_API_KEY}")
