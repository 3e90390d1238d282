"""Products and tariffs, agreements that put a meter point on a tariff, and what billing writes:
billing runs, bills and their lines, payments and payment collection attempts.

Money columns are integer minor units (`BigIntegerField`); rates are `Decimal` minor units per unit
(e.g. 24.5678 pence per kWh) because tariffs quote fractions of a penny. Rounding to whole minor
units happens once per bill line (billing/calculation.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F, Func, Q

from billing.models._leases import HELP_CLAIMED, HELP_LEASE
from billing.models._payments import (
    CollectionAttemptStatus,
    Payment,
    PaymentCollectionAttempt,
    PaymentStatus,
    PaymentTransactionType,
)
from billing.models._run_items import BillingRunItem, BillingRunItemStatus
from kernel import money


def default_chunk_size() -> int:
    """A new billing run's accounts per chunk task: BILLING_CHUNK_SIZE (settings say why)."""
    return settings.BILLING_CHUNK_SIZE


__all__ = [
    "BillingRunItem",
    "BillingRunItemStatus",
    "CollectionAttemptStatus",
    "Payment",
    "PaymentCollectionAttempt",
    "PaymentStatus",
    "PaymentTransactionType",
]


class TsTzRange(Func):
    """`tstzrange(start, end, '[)')`: the half-open period of two columns, end NULL meaning open."""

    function = "TSTZRANGE"
    template = "%(function)s(%(expressions)s, '[)')"
    output_field = models.DateTimeField()


class PeriodQuerySet(models.QuerySet):
    """Rows whose `[active_from, active_to)` period overlaps `[start, end)`, with PostgreSQL's range
    `&&`, the same operator the exclusion constraints use (no hand-written comparisons)."""

    def overlapping(self, *, start, end):
        return self.alias(
            active_period=TsTzRange("active_from", "active_to", output_field=DateTimeRangeField())
        ).filter(active_period__overlap=DateTimeTZRange(start, end, "[)"))

    def active_at(self, moment):
        """Rows whose period holds `moment`."""
        return self.alias(
            active_period=TsTzRange("active_from", "active_to", output_field=DateTimeRangeField())
        ).filter(active_period__contains=moment)


class ProductDirection(models.TextChoices):
    IMPORT = "IMPORT"
    EXPORT = "EXPORT"


class Product(models.Model):
    code = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(max_length=255)
    full_name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=64, blank=True)
    direction = models.CharField(
        max_length=8, choices=ProductDirection.choices, default=ProductDirection.IMPORT
    )
    is_variable = models.BooleanField(default=True)
    is_green = models.BooleanField(default=False)
    is_tracker = models.BooleanField(default=False, help_text="Prices follow the wholesale market daily")
    is_prepay = models.BooleanField(default=False)
    is_business = models.BooleanField(default=False)
    is_restricted = models.BooleanField(default=False, help_text="Offered only to some customers")
    term = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Contract length in months; empty when there is no fixed term"
    )
    rates_per_half_hour = models.BooleanField(
        default=False,
        help_text="Agile-style: unit rates are published per half hour, day by day, and smart meters "
        "are billed at each half hour's rate",
    )
    dispatches_at_off_peak = models.BooleanField(
        default=False,
        help_text="Intelligent-style: half hours of a smart-charging dispatch are billed at the "
        "OFF_PEAK rate wherever the off-peak window is",
    )
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=0, help_text="VAT/GST as a fraction, e.g. 0.0500 for 5 %"
    )
    available_from = models.DateTimeField()
    available_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lt=1), name="product_tax_rate_fraction"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Tariff(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="tariffs")
    code = models.CharField(max_length=64, unique=True, help_text="e.g. E-1R-VAR-22-11-01-A")
    utility_type = models.CharField(max_length=32, help_text="ELECTRICITY or GAS")
    region = models.CharField(max_length=8, blank=True, help_text="GSP group or distribution region")
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES, default="GBP")
    standing_charge = models.DecimalField(
        max_digits=12, decimal_places=4, help_text="Minor units per day, before tax"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(standing_charge__gte=0), name="standing_charge_not_negative")
        ]

    def __str__(self) -> str:
        return self.code


class RateBand(models.TextChoices):
    STANDARD = "STANDARD"
    DAY = "DAY"
    NIGHT = "NIGHT"
    PEAK = "PEAK"
    OFF_PEAK = "OFF_PEAK"
    SHOULDER = "SHOULDER"


class ChargePaymentMethod(models.TextChoices):
    """Which payers a price applies to: a tariff may charge direct debit payers less. Blank (the
    default) applies whatever the payment method."""

    ANY = "", "Any payment method"
    DIRECT_DEBIT = "DIRECT_DEBIT"
    NON_DIRECT_DEBIT = "NON_DIRECT_DEBIT"


class TariffRate(models.Model):
    """A unit rate of a tariff's band, valid for `[active_from, active_to)`. A time-of-use band also
    has a daily local-time window `[start_time, end_time)` (wrapping midnight when end < start).
    Per-half-hour prices (Agile) are rates one half hour long. A rate may apply to one payment
    method only (`payment_method`); then the tariff has a rate for each method.

    A product with rates per half hour (Agile-style) has one row per half hour, published a local
    day at a time (46, 48 or 50 rows): the same layout every door already serves (Octopus' REST API
    lists Agile prices as half-hour `valid_from`/`valid_to` rows), kept apart by the exclusion
    constraint, and a month's 1,488 rows of a tariff are one range scan of its GiST index. Such
    rates may be negative."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="rates")
    band = models.CharField(max_length=16, choices=RateBand.choices, default=RateBand.STANDARD)
    payment_method = models.CharField(
        max_length=16, choices=ChargePaymentMethod.choices, default=ChargePaymentMethod.ANY, blank=True
    )
    unit_rate = models.DecimalField(
        max_digits=12, decimal_places=4, help_text="Minor units per kWh, before tax"
    )
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    active_from = models.DateTimeField()
    active_to = models.DateTimeField(null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False),
                name="time_of_use_window_complete",
            ),
            ExclusionConstraint(
                name="no_overlapping_rates_per_band",
                violation_error_message="This band already has a rate overlapping that period.",
                expressions=[
                    ("tariff", RangeOperators.EQUAL),
                    ("band", RangeOperators.EQUAL),
                    ("payment_method", RangeOperators.EQUAL),
                    (TsTzRange("active_from", "active_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        indexes = [models.Index(fields=["tariff", "band", "active_from"])]

    def __str__(self) -> str:
        return f"{self.tariff} {self.band} {self.unit_rate}"


class StandingCharge(models.Model):
    """A tariff's daily standing charge for `[active_from, active_to)`: its price history. A tariff
    without history has had `Tariff.standing_charge` since its product became available."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="standing_charges")
    value = models.DecimalField(max_digits=12, decimal_places=4, help_text="Minor units per day, before tax")
    payment_method = models.CharField(
        max_length=16, choices=ChargePaymentMethod.choices, default=ChargePaymentMethod.ANY, blank=True
    )
    active_from = models.DateTimeField()
    active_to = models.DateTimeField(null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="standing_charge_history_not_negative"),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gt=F("active_from")),
                name="standing_charge_ends_after_start",
            ),
            ExclusionConstraint(
                name="no_overlapping_standing_charges",
                violation_error_message="This tariff already has a standing charge overlapping that period.",
                expressions=[
                    ("tariff", RangeOperators.EQUAL),
                    ("payment_method", RangeOperators.EQUAL),
                    (TsTzRange("active_from", "active_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tariff} standing charge {self.value} from {self.active_from:%Y-%m-%d}"


class CalorificValue(models.Model):
    """Configuration: the gas calorific value (MJ/m³) of a Local Distribution Zone over
    `[active_from, active_to)`, as the gas transporter publishes it. A row with an empty `ldz` is
    the national value, used for meter points of no known LDZ and for times an LDZ has no row.
    Gas billed from volume converts at the mean value over the bill period (billing/calculation)."""

    ldz = models.CharField(max_length=2, blank=True, help_text="LDZ code, e.g. EA; empty for national")
    value = models.DecimalField(max_digits=6, decimal_places=3, help_text="MJ per cubic metre")
    active_from = models.DateTimeField()
    active_to = models.DateTimeField(null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=30, value__lt=50), name="calorific_value_plausible"),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gt=F("active_from")),
                name="calorific_value_ends_after_start",
            ),
            ExclusionConstraint(
                name="no_overlapping_calorific_values_per_ldz",
                violation_error_message="This LDZ already has a calorific value overlapping that period.",
                expressions=[
                    ("ldz", RangeOperators.EQUAL),
                    (TsTzRange("active_from", "active_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ldz or 'national'} {self.value} MJ/m³ from {self.active_from:%Y-%m-%d}"


class Agreement(models.Model):
    """An account's meter point on a tariff for `[active_from, active_to)`. The database refuses two
    agreements on one meter point whose periods overlap."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="agreements")
    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="agreements"
    )
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="agreements")
    active_from = models.DateTimeField()
    active_to = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gt=F("active_from")),
                name="agreement_ends_after_start",
            ),
            ExclusionConstraint(
                name="no_overlapping_agreements_per_meter_point",
                violation_error_message="This meter point already has an agreement overlapping that period.",
                expressions=[
                    ("meter_point", RangeOperators.EQUAL),
                    (TsTzRange("active_from", "active_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        indexes = [models.Index(fields=["account", "active_from"])]

    def __str__(self) -> str:
        return f"{self.meter_point} on {self.tariff} from {self.active_from:%Y-%m-%d}"


class BillingRunStatus(models.TextChoices):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    AWAITING_REVIEW = "AWAITING_REVIEW"
    COMPLETED = "COMPLETED"
    COMPLETED_WITH_ERRORS = "COMPLETED_WITH_ERRORS"
    CANCELLED = "CANCELLED"


class BillingRunOrigin(models.TextChoices):
    ADMIN = "ADMIN"
    SCHEDULE = "SCHEDULE"
    API = "API"


class BillingRun(models.Model):
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    scope = models.JSONField(default=dict, blank=True, help_text="Which accounts: empty means all active")
    status = models.CharField(
        max_length=32, choices=BillingRunStatus.choices, default=BillingRunStatus.PENDING
    )
    total_accounts = models.PositiveIntegerField(default=0)
    billed_accounts = models.PositiveIntegerField(default=0)
    skipped_accounts = models.PositiveIntegerField(default=0)
    failed_accounts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin = models.CharField(max_length=16, choices=BillingRunOrigin.choices, default=BillingRunOrigin.ADMIN)
    chunk_size = models.PositiveIntegerField(default=default_chunk_size)
    chunk_count = models.PositiveIntegerField(default=0)
    start_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When someone pressed Start: a run is enqueued once"
    )
    hold_for_review = models.BooleanField(
        default=False, help_text="Calculate the bills, then wait for someone to release them"
    )
    held_accounts = models.PositiveIntegerField(default=0)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The worker fanning the run out into chunk tasks, until it has rung them all.
    claimed_by = models.CharField(
        max_length=255, blank=True, default="", db_default="", help_text=HELP_CLAIMED
    )
    lease_until = models.DateTimeField(null=True, blank=True, help_text=HELP_LEASE)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="billing_run_period_valid"
            ),
            models.CheckConstraint(condition=Q(chunk_size__gt=0), name="billing_run_chunk_size_positive"),
            # Beat may fire twice (two beat processes, a retried task): one scheduled run per period.
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                condition=Q(origin="SCHEDULE"),
                name="one_scheduled_run_per_period",
            ),
        ]
        permissions = [
            ("start_billingrun", "Can start or resume billing runs"),
            ("release_billingrun", "Can release or discard bills held for review"),
        ]

    def __str__(self) -> str:
        return f"Billing run {self.pk} [{self.period_start:%Y-%m-%d}, {self.period_end:%Y-%m-%d})"


class BillType(models.TextChoices):
    STATEMENT = "STATEMENT"
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"
    PRE_KRAKEN = "PRE_KRAKEN"


class BillStatus(models.TextChoices):
    ISSUED = "ISSUED"
    VOID = "VOID"


class NextBillNumber(Func):
    """The database default of `Bill.number`: `B-` and the next value of its own sequence, zero-padded
    (created by migration billing 0005), so every way of writing bills (ORM, bulk, SQL) numbers them
    in order and never reuses a number."""

    template = "('B-' || LPAD(NEXTVAL('billing_bill_number_seq')::text, 8, '0'))"
    output_field = models.CharField()


class Bill(models.Model):
    """A bill for `[period_start, period_end)`. The database refuses a second live bill of the same
    account whose period overlaps, so no period is ever billed twice, whatever the caller."""

    # Unique by a constraint (`bill_number_unique`) rather than `unique=True`, which would add a
    # LIKE-pattern index no lookup uses (bills are found by their exact number) to every bill written.
    number = models.CharField(
        max_length=16,
        editable=False,
        db_default=NextBillNumber(),
        help_text="Public bill number, e.g. B-00001234. Never the primary key.",
    )
    # Indexed by (account, issued_at) and (billing_run, account): an index of their own would only
    # cost every bill written.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="bills", db_index=False
    )
    billing_run = models.ForeignKey(
        BillingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="bills", db_index=False
    )
    bill_type = models.CharField(max_length=16, choices=BillType.choices, default=BillType.STATEMENT)
    status = models.CharField(max_length=8, choices=BillStatus.choices, default=BillStatus.ISSUED)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES)
    subtotal = models.BigIntegerField(help_text="Minor units before tax")
    tax = models.BigIntegerField(help_text="Minor units")
    total = models.BigIntegerField(help_text="Minor units including tax")
    issued_at = models.DateTimeField()
    external_identifier = models.CharField(
        max_length=128, blank=True, help_text="PRE_KRAKEN bills: the statement id in the source system"
    )
    external_number = models.CharField(
        max_length=64, blank=True, help_text="PRE_KRAKEN bills: the customer-facing statement number"
    )
    document_path = models.CharField(
        max_length=512, blank=True, help_text="PRE_KRAKEN bills: where the statement PDF is stored"
    )
    # A statement as the customer sees it, written by the billing engine when it is issued: the
    # account's balance before and after the ledger entries it carries (its `transactions`), and
    # when what it asks for is due. Null on bills that carry no transactions (PRE_KRAKEN).
    opening_balance = models.BigIntegerField(
        null=True, blank=True, help_text="Minor units, positive in the customer's favour"
    )
    closing_balance = models.BigIntegerField(
        null=True, blank=True, help_text="Minor units, positive in the customer's favour"
    )
    payment_due_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["number"], name="bill_number_unique"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="bill_period_valid"),
            models.UniqueConstraint(
                fields=["account", "external_identifier"],
                condition=~Q(external_identifier=""),
                name="one_bill_per_account_external_identifier",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax")), name="bill_total_is_subtotal_plus_tax"
            ),
            ExclusionConstraint(
                name="no_overlapping_live_bills_per_account",
                violation_error_message="This account already has a live bill overlapping that period.",
                expressions=[
                    ("account", RangeOperators.EQUAL),
                    (TsTzRange("period_start", "period_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="ISSUED") & ~Q(bill_type="CREDIT_NOTE"),
            ),
            models.UniqueConstraint(
                fields=["billing_run", "account"],
                condition=Q(billing_run__isnull=False),
                name="one_bill_per_run_account",
            ),
        ]
        indexes = [models.Index(fields=["account", "issued_at"])]
        permissions = [("issue_bill", "Can bill an account now")]

    def __str__(self) -> str:
        return f"Bill {self.number} [{self.period_start:%Y-%m-%d}, {self.period_end:%Y-%m-%d})"


class BillLineKind(models.TextChoices):
    STANDING_CHARGE = "STANDING_CHARGE"
    CONSUMPTION = "CONSUMPTION"
    TAX = "TAX"
    ADJUSTMENT = "ADJUSTMENT"


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=BillLineKind.choices)
    description = models.CharField(max_length=255)
    band = models.CharField(max_length=16, blank=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    quantity = models.DecimalField(max_digits=14, decimal_places=4, help_text="kWh or days")
    unit_rate = models.DecimalField(max_digits=12, decimal_places=4, help_text="Minor units per unit")
    amount = models.BigIntegerField(help_text="Minor units, rounded once, half up")
    is_estimated = models.BooleanField(default=False)
    half_hours = models.PositiveIntegerField(
        default=0, help_text="Half hours of interval data the line prices; 0 for register reads"
    )

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class StatementTransactionKind(models.TextChoices):
    CHARGE = "CHARGE"
    PAYMENT = "PAYMENT"
    CREDIT = "CREDIT"
    REFUND = "REFUND"


class StatementTransaction(models.Model):
    """A ledger entry as a statement shows it. When a statement is issued the billing engine puts
    on it every entry of the account's ledgers posted by then and not on an earlier statement, so
    each entry is on one statement at most (unique), and a statement's closing balance is its
    opening balance plus its transactions' `amount`s. `net`, `tax` and `gross` are magnitudes; a
    charge raised by a bill carries that bill's subtotal and tax."""

    # Indexed by (statement, id).
    statement = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    ledger_entry = models.OneToOneField(
        "accounts.LedgerEntry", on_delete=models.PROTECT, related_name="statement_transaction"
    )
    kind = models.CharField(max_length=8, choices=StatementTransactionKind.choices)
    amount = models.BigIntegerField(help_text="The ledger entry's signed amount, minor units")
    net = models.BigIntegerField()
    tax = models.BigIntegerField()
    gross = models.BigIntegerField()
    # A bill's charge is on the bill's own statement (the check below), so `statement`'s foreign key
    # already holds the bill in place: a key of its own would only cost every bill written one more
    # check at commit.
    charged_bill = models.ForeignKey(
        Bill,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        help_text="The bill a charge is for",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(gross=F("net") + F("tax")), name="transaction_gross_is_net_plus_tax"
            ),
            models.CheckConstraint(
                condition=Q(net__gte=0, tax__gte=0), name="transaction_amounts_are_magnitudes"
            ),
            models.CheckConstraint(
                condition=Q(charged_bill__isnull=True) | Q(charged_bill=F("statement")),
                name="charge_is_on_its_own_bill",
            ),
        ]
        indexes = [models.Index(fields=["statement", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.gross} on statement {self.statement_id}"
