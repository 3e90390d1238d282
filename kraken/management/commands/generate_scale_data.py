from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kraken import scale_data


class Command(BaseCommand):
    help = (
        "Write a scale data set of N demo-shaped accounts with COPY (reproducible per seed; a seed "
        "already loaded is refused, another seed appends). See kraken/scale_data.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, required=True)
        parser.add_argument("--seed", type=int, default=42, help="0 to 255; part of every public identifier")
        parser.add_argument("--smart-share", type=float, default=0.2)
        parser.add_argument("--months", type=int, default=13, help="Months of register reads")
        parser.add_argument(
            "--half-hourly-share",
            type=float,
            default=0.25,
            help="Share of smart meters with half-hourly data",
        )
        parser.add_argument("--half-hourly-days", type=int, default=31)
        parser.add_argument(
            "--bills",
            action="store_true",
            default=True,
            help="Bill the last whole month with billing runs (the default)",
        )
        parser.add_argument("--no-bills", action="store_false", dest="bills")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="Processes writing (and billing) chunks at once; 2 keeps both cores of a small machine busy",
        )

    def handle(self, *args, **options):
        settings = scale_data.Options(
            accounts=options["accounts"],
            seed=options["seed"],
            smart_share=options["smart_share"],
            months=options["months"],
            half_hourly_share=options["half_hourly_share"],
            half_hourly_days=options["half_hourly_days"],
            bills=options["bills"],
            workers=options["workers"],
        )
        try:
            summary = scale_data.generate(options=settings, now=timezone.now(), report=self.stdout.write)
        except (scale_data.InvalidOptions, scale_data.AlreadyLoaded, scale_data.LoadFailed) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {summary.accounts:,} accounts, {summary.meter_points:,} meter points, "
            f"{summary.readings:,} register reads, {summary.half_hours:,} half hours in "
            f"{summary.load_seconds:.1f}s; {summary.bills:,} bills in {summary.billing_seconds:.1f}s"
        )
