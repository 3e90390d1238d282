"""Import suppliers (cohorts of a migration), their API keys, import processes, and the instance
configuration the import rules check payloads against."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from imports import configuration


class Territory(models.TextChoices):
    GB = "GB"
    JP = "JP"
    AU = "AU"


class MigrationStatus(models.TextChoices):
    ONGOING = "ONGOING"
    PAUSED = "PAUSED"
    COMPLETE = "COMPLETE"


class ImportSupplier(models.Model):
    code = models.CharField(max_length=64, unique=True, help_text="e.g. EDF, KYUDEN_MVP")
    name = models.CharField(max_length=255)
    territory = models.CharField(max_length=2, choices=Territory.choices, default=Territory.GB)
    migration_status = models.CharField(
        max_length=16, choices=MigrationStatus.choices, default=MigrationStatus.ONGOING
    )
    skip_property_creation = models.BooleanField(default=False)
    skip_supply_point_creation = models.BooleanField(default=False)
    enforce_business_contracts_exist = models.BooleanField(default=False)
    send_registration_flows = models.BooleanField(default=False)
    operations_team_name = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class ImportApiKey(models.Model):
    """An import API key. Only a SHA-256 hash is stored; the key is shown once, when created."""

    supplier = models.ForeignKey(ImportSupplier, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=128)
    prefix = models.CharField(max_length=12, help_text="First characters of the key, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "import API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ImportProcessStatus(models.TextChoices):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    PROCESSED = "PROCESSED"
    ERRORED = "ERRORED"
    CANCELLED = "CANCELLED"
    DRY_RUN_SUCCEEDED = "DRY_RUN_SUCCEEDED"
    DRY_RUN_ERRORED = "DRY_RUN_ERRORED"


class ImportProcess(models.Model):
    """A batch of account imports run asynchronously, with its progress counts and error report."""

    supplier = models.ForeignKey(ImportSupplier, on_delete=models.PROTECT, related_name="import_processes")
    status = models.CharField(
        max_length=32, choices=ImportProcessStatus.choices, default=ImportProcessStatus.PENDING
    )
    is_dry_run = models.BooleanField(default=False)
    total_count = models.PositiveIntegerField(default=0)
    processed_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "import processes"

    def __str__(self) -> str:
        return f"Import {self.pk} for {self.supplier_id} ({self.status})"


class AccountImportProcess(models.Model):
    """One account's import, keyed by (supplier, external account number): the staged payload, its
    status, and, once created, the account it became."""

    supplier = models.ForeignKey(ImportSupplier, on_delete=models.PROTECT, related_name="account_imports")
    external_account_number = models.CharField(max_length=128)
    import_process = models.ForeignKey(
        ImportProcess, on_delete=models.SET_NULL, null=True, blank=True, related_name="account_imports"
    )
    status = models.CharField(
        max_length=32, choices=ImportProcessStatus.choices, default=ImportProcessStatus.PENDING
    )
    payload = models.JSONField()
    account = models.OneToOneField(
        "accounts.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="import_process"
    )
    latest_error = models.JSONField(null=True, blank=True)
    latest_event = models.JSONField(null=True, blank=True, help_text="{event, occurred_at, data}")
    task_params = models.JSONField(default=dict, blank=True, help_text="v2 schedule: is_dry_run and window")
    # A work item of an async import (v2 schedule, batch) carries a lease: while queued, until when
    # a worker should have taken it; while a worker imports it, that worker and until when its lease
    # holds (renewed as it works). An expired lease is re-queued by the sweep (beat, every 30 s); a
    # row without a lease is not async work (a v1 staged payload, a finished import).
    claimed_by = models.CharField(
        max_length=255, blank=True, default="", db_default="", help_text="The worker importing it now"
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0, help_text="Times a worker took it")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "external_account_number"], name="one_import_per_external_account"
            ),
            models.CheckConstraint(
                condition=~Q(status="PROCESSED") | Q(account__isnull=False),
                name="processed_import_has_account",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status", "created_at"]),
            models.Index(
                fields=["lease_until"], condition=Q(lease_until__isnull=False), name="import_work_leases"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}:{self.external_account_number} ({self.status})"


class RegistrationFlow(models.Model):
    """A meter point of an imported account marked for registration (GB `send-registration-flows`):
    Kraken's registration process picks these rows up and sends the industry flows. One row per
    meter point, so sending again marks nothing twice."""

    meter_point = models.OneToOneField(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="registration_flow"
    )
    account_import = models.ForeignKey(
        AccountImportProcess, on_delete=models.PROTECT, related_name="registration_flows"
    )
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Registration of meter point {self.meter_point_id} ({self.account_import})"


class ImportConfiguration(models.Model):
    """The instance configuration the import rules check payloads against: one row per Kraken
    instance (the rules' catalogue is built once per batch, whatever the supplier; territory-specific
    settings such as JP ledger codes only matter to that territory's rules). Created with
    `imports.configuration.DEFAULTS` by a migration; edited in admin. JSON settings are lists (sets
    of names) or small objects (maps); `clean` checks their shape."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    operations_teams = models.JSONField(
        default=functools.partial(configuration.default, "operations_teams"),
        blank=True,
        help_text=configuration.help_text("operations_teams"),
    )
    market_participants = models.JSONField(
        default=functools.partial(configuration.default, "market_participants"),
        blank=True,
        help_text=configuration.help_text("market_participants"),
    )
    campaigns = models.JSONField(
        default=functools.partial(configuration.default, "campaigns"),
        blank=True,
        help_text=configuration.help_text("campaigns"),
    )
    ledger_codes = models.JSONField(
        default=functools.partial(configuration.default, "ledger_codes"),
        blank=True,
        help_text=configuration.help_text("ledger_codes"),
    )
    psr_elec_codes = models.JSONField(
        default=functools.partial(configuration.default, "psr_elec_codes"),
        blank=True,
        help_text=configuration.help_text("psr_elec_codes"),
    )
    psr_gas_codes = models.JSONField(
        default=functools.partial(configuration.default, "psr_gas_codes"),
        blank=True,
        help_text=configuration.help_text("psr_gas_codes"),
    )
    psr_descriptions = models.JSONField(
        default=functools.partial(configuration.default, "psr_descriptions"),
        blank=True,
        help_text=configuration.help_text("psr_descriptions"),
    )
    reference_namespaces = models.JSONField(
        default=functools.partial(configuration.default, "reference_namespaces"),
        blank=True,
        help_text=configuration.help_text("reference_namespaces"),
    )
    cais_references_supported = models.BooleanField(
        default=configuration.DEFAULTS["cais_references_supported"],
        help_text=configuration.help_text("cais_references_supported"),
    )
    dunning_paths = models.JSONField(
        default=functools.partial(configuration.default, "dunning_paths"),
        blank=True,
        help_text=configuration.help_text("dunning_paths"),
    )
    debt_collection_agencies = models.JSONField(
        default=functools.partial(configuration.default, "debt_collection_agencies"),
        blank=True,
        help_text=configuration.help_text("debt_collection_agencies"),
    )
    customer_detail_namespaces = models.JSONField(
        default=functools.partial(configuration.default, "customer_detail_namespaces"),
        blank=True,
        help_text=configuration.help_text("customer_detail_namespaces"),
    )
    unique_customer_detail_namespaces = models.JSONField(
        default=functools.partial(configuration.default, "unique_customer_detail_namespaces"),
        blank=True,
        help_text=configuration.help_text("unique_customer_detail_namespaces"),
    )
    required_customer_detail_namespaces = models.JSONField(
        default=functools.partial(configuration.default, "required_customer_detail_namespaces"),
        blank=True,
        help_text=configuration.help_text("required_customer_detail_namespaces"),
    )
    business_detail_keys = models.JSONField(
        default=functools.partial(configuration.default, "business_detail_keys"),
        blank=True,
        help_text=configuration.help_text("business_detail_keys"),
    )
    complaint_types = models.JSONField(
        default=functools.partial(configuration.default, "complaint_types"),
        blank=True,
        help_text=configuration.help_text("complaint_types"),
    )
    official_complaint_organisations = models.JSONField(
        default=functools.partial(configuration.default, "official_complaint_organisations"),
        blank=True,
        help_text=configuration.help_text("official_complaint_organisations"),
    )
    complaint_sources = models.JSONField(
        default=functools.partial(configuration.default, "complaint_sources"),
        blank=True,
        help_text=configuration.help_text("complaint_sources"),
    )
    contribution_schemes = models.JSONField(
        default=functools.partial(configuration.default, "contribution_schemes"),
        blank=True,
        help_text=configuration.help_text("contribution_schemes"),
    )
    affiliate_organisations = models.JSONField(
        default=functools.partial(configuration.default, "affiliate_organisations"),
        blank=True,
        help_text=configuration.help_text("affiliate_organisations"),
    )
    partner_organisations = models.JSONField(
        default=functools.partial(configuration.default, "partner_organisations"),
        blank=True,
        help_text=configuration.help_text("partner_organisations"),
    )
    payment_plan_strategies = models.JSONField(
        default=functools.partial(configuration.default, "payment_plan_strategies"),
        blank=True,
        help_text=configuration.help_text("payment_plan_strategies"),
    )
    standalone_payment_request_methods = models.JSONField(
        default=functools.partial(configuration.default, "standalone_payment_request_methods"),
        blank=True,
        help_text=configuration.help_text("standalone_payment_request_methods"),
    )
    characteristics = models.JSONField(
        default=functools.partial(configuration.default, "characteristics"),
        blank=True,
        help_text=configuration.help_text("characteristics"),
    )
    file_store_paths = models.JSONField(
        default=functools.partial(configuration.default, "file_store_paths"),
        blank=True,
        help_text=configuration.help_text("file_store_paths"),
    )
    file_store_validation_enabled = models.BooleanField(
        default=configuration.DEFAULTS["file_store_validation_enabled"],
        help_text=configuration.help_text("file_store_validation_enabled"),
    )
    internal_email_addresses = models.JSONField(
        default=functools.partial(configuration.default, "internal_email_addresses"),
        blank=True,
        help_text=configuration.help_text("internal_email_addresses"),
    )
    consents_enabled = models.BooleanField(
        default=configuration.DEFAULTS["consents_enabled"],
        help_text=configuration.help_text("consents_enabled"),
    )
    consent_types = models.JSONField(
        default=functools.partial(configuration.default, "consent_types"),
        blank=True,
        help_text=configuration.help_text("consent_types"),
    )
    managed_accounts_allowed = models.BooleanField(
        default=configuration.DEFAULTS["managed_accounts_allowed"],
        help_text=configuration.help_text("managed_accounts_allowed"),
    )
    incomplete_payments_enabled = models.BooleanField(
        default=configuration.DEFAULTS["incomplete_payments_enabled"],
        help_text=configuration.help_text("incomplete_payments_enabled"),
    )
    billing_document_identifiers_enabled = models.BooleanField(
        default=configuration.DEFAULTS["billing_document_identifiers_enabled"],
        help_text=configuration.help_text("billing_document_identifiers_enabled"),
    )
    max_active_deposits = models.PositiveSmallIntegerField(
        default=configuration.DEFAULTS["max_active_deposits"],
        help_text=configuration.help_text("max_active_deposits"),
    )
    payment_day_range = models.JSONField(
        default=functools.partial(configuration.default, "payment_day_range"),
        blank=True,
        help_text=configuration.help_text("payment_day_range"),
    )
    fixed_payment_amount_range = models.JSONField(
        default=functools.partial(configuration.default, "fixed_payment_amount_range"),
        blank=True,
        help_text=configuration.help_text("fixed_payment_amount_range"),
    )
    exclusive_user_roles = models.JSONField(
        default=functools.partial(configuration.default, "exclusive_user_roles"),
        blank=True,
        help_text=configuration.help_text("exclusive_user_roles"),
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "import configuration"
        verbose_name_plural = "import configuration"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="single_import_configuration")]

    def __str__(self) -> str:
        return "Import configuration"

    def settings(self) -> dict:
        """Setting name -> stored value, for every setting of `imports.configuration.SETTINGS`."""
        return {name: getattr(self, name) for name in configuration.SETTINGS}

    def clean(self) -> None:
        """Raises ValidationError naming each JSON setting whose shape is wrong."""
        super().clean()
        if errors := configuration.errors(self.settings()):
            raise ValidationError(errors)
