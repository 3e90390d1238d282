"""Import suppliers (cohorts of a migration), their API keys, and import processes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


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
        indexes = [models.Index(fields=["supplier", "status", "created_at"])]

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
