"""Reads for imports: suppliers and their rule configuration, the catalogue the rules check against,
import processes, API keys, registration flows. Other apps' rows are read only through their queries
(tariffs from `billing.queries`, meter points from `metering.queries`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from django.db.models import Q, QuerySet

from billing import queries as billing_queries
from imports import catalogue as catalogue_module
from imports import configuration, models
from imports.rules import base
from metering import models as metering_models
from metering import queries as metering_queries


def supplier_config(*, supplier: models.ImportSupplier) -> base.SupplierConfig:
    return base.SupplierConfig(
        code=supplier.code,
        territory=supplier.territory,
        migration_status=supplier.migration_status,
        skip_property_creation=supplier.skip_property_creation,
        skip_supply_point_creation=supplier.skip_supply_point_creation,
        enforce_business_contracts_exist=supplier.enforce_business_contracts_exist,
        send_registration_flows=supplier.send_registration_flows,
        operations_team_name=supplier.operations_team_name,
    )


def get_supplier(*, code: str) -> models.ImportSupplier:
    """Raises ImportSupplier.DoesNotExist."""
    return models.ImportSupplier.objects.get(code=code)


def suppliers_by_code() -> dict[str, models.ImportSupplier]:
    """Every import supplier, by code (one query)."""
    return {supplier.code: supplier for supplier in models.ImportSupplier.objects.all()}


def instance_configuration_settings() -> dict | None:
    """The stored configuration settings (`imports.configuration.SETTINGS` name -> JSON value), or
    None when the row is missing (one query)."""
    return (
        models.ImportConfiguration.objects.filter(pk=models.ImportConfiguration.SINGLETON_ID)
        .values(*configuration.SETTINGS)
        .first()
    )


def build_catalogue(
    *, base_catalogue: catalogue_module.Catalogue = catalogue_module.DEFAULT
) -> catalogue_module.Catalogue:
    """The instance configuration (the `ImportConfiguration` row) plus every tariff and product in
    billing (`billing.queries.tariff_summaries`; three queries in all). The configuration comes from
    `base_catalogue` if the row is missing."""
    settings = instance_configuration_settings()
    if settings is not None:
        base_catalogue = dataclasses.replace(base_catalogue, **configuration.catalogue_values(settings))
    tariffs = {}
    products = {}
    for tariff in billing_queries.tariff_summaries():
        info = catalogue_module.TariffInfo(
            code=tariff.code,
            utility_type=tariff.utility_type,
            product_code=tariff.product_code,
            available_from=tariff.available_from,
            available_to=tariff.available_to,
            rate_bands=tariff.rate_bands,
            is_variable=tariff.is_variable,
            is_prepay="PREPAY" in tariff.code.upper(),
            rate_count=tariff.rate_count or 1,
            tariff_id=tariff.id,
        )
        tariffs[tariff.code] = info
        products.setdefault(tariff.product_code, info)
    return dataclasses.replace(base_catalogue, tariffs=tariffs, products=products)


def account_import(
    *, supplier: models.ImportSupplier, external_account_number: str
) -> models.AccountImportProcess:
    """Raises AccountImportProcess.DoesNotExist."""
    return models.AccountImportProcess.objects.select_related("account", "supplier").get(
        supplier=supplier, external_account_number=external_account_number
    )


def account_imports(
    *, supplier: models.ImportSupplier | None, imported: bool | None = None
) -> QuerySet[models.AccountImportProcess]:
    """A supplier's account import processes, oldest first, with their accounts: only the imported
    ones (`imported=True`), only the pending ones (`False`), or all (`None`). None without a supplier."""
    if supplier is None:
        return models.AccountImportProcess.objects.none()
    rows = (
        models.AccountImportProcess.objects.filter(supplier=supplier)
        .select_related("account")
        .only(
            "external_account_number",
            "status",
            "created_at",
            "processed_at",
            "account__number",
            "account__created_at",
        )
        .order_by("created_at", "id")
    )
    return rows if imported is None else rows.filter(account__isnull=not imported)


def imported_account_keys() -> set[tuple[str, str]]:
    """(supplier code, external account number) of every account imported so far (one query)."""
    return set(
        models.AccountImportProcess.objects.filter(account__isnull=False).values_list(
            "supplier__code", "external_account_number"
        )
    )


def imported_account_references(*, references: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (namespace, value) account references an imported account carries already
    (one query; none without references)."""
    if not references:
        return set()
    condition = Q()
    for namespace, value in references:
        condition |= Q(payload__references__contains=[{"namespace": namespace, "value": value}])
    found = set()
    imported = models.AccountImportProcess.objects.filter(condition, account__isnull=False)
    for payload_references in imported.values_list("payload__references", flat=True):
        for reference in payload_references if isinstance(payload_references, list) else ():
            if isinstance(reference, dict):
                found.add((reference.get("namespace"), reference.get("value")))
    return found & set(references)


def imported_cais_references(*, references: Collection[str]) -> set[str]:
    """Which of these CAIS references an imported account's debt carries already (one query; none
    without references)."""
    if not references:
        return set()
    condition = Q()
    for reference in references:
        condition |= Q(payload__debt__cais_reference=reference)
        condition |= Q(payload__debts__contains=[{"cais_reference": reference}])
    imported = models.AccountImportProcess.objects.filter(condition, account__isnull=False)
    found = set()
    for debt, debts in imported.values_list("payload__debt", "payload__debts"):
        for item in [debt, *(debts if isinstance(debts, list) else [])]:
            if isinstance(item, dict) and isinstance(item.get("cais_reference"), str):
                found.add(item["cais_reference"])
    return found & set(references)


def live_api_key(*, key_hash: str) -> models.ImportApiKey:
    """Raises ImportApiKey.DoesNotExist for unknown or revoked keys."""
    return models.ImportApiKey.objects.select_related("supplier").get(
        key_hash=key_hash, revoked_at__isnull=True
    )


def batch_process_ids(*, batch: models.ImportProcess) -> list[int]:
    return list(batch.account_imports.order_by("id").values_list("id", flat=True))


def imported_account(
    *, supplier: models.ImportSupplier | None, external_account_number: str
) -> models.AccountImportProcess:
    """The import process of an account that has been created (`account_id` set).
    Raises AccountImportProcess.DoesNotExist (unknown, only staged, or another supplier's)."""
    return models.AccountImportProcess.objects.get(
        supplier=supplier, external_account_number=external_account_number, account__isnull=False
    )


@dataclasses.dataclass(frozen=True)
class MeterPointRegistration:
    """A meter point of an imported account, and whether it is marked for registration."""

    meter_point: metering_models.MeterPoint
    flow_requested: bool


def meter_point_registrations(*, account_id: int) -> list[MeterPointRegistration]:
    """Every meter point of the account (`metering.queries.meter_points_of_account`, oldest first),
    each with whether a registration flow was requested for it (two queries; one without points)."""
    points = metering_queries.meter_points_of_account(account_id=account_id)
    requested = set(
        models.RegistrationFlow.objects.filter(meter_point_id__in=[point.pk for point in points]).values_list(
            "meter_point_id", flat=True
        )
    )
    return [MeterPointRegistration(point, point.pk in requested) for point in points]


# MeterPoint.status as the GB industry status the import API reports (GbrMeterPointStatus).
GB_METER_POINT_STATUSES = {
    metering_models.MeterPointStatus.PENDING: "PRE_REGISTRATION",
    metering_models.MeterPointStatus.ON_SUPPLY: "ON_SUPPLY",
    metering_models.MeterPointStatus.LOSS: "LOSS_PENDING",
    metering_models.MeterPointStatus.OFF_SUPPLY: "LOST",
}
REGISTRATION_REQUESTED = "REGISTRATION_REQUESTED"


def gb_meter_point_status(*, registration: MeterPointRegistration) -> str:
    """A pending meter point marked for registration is REGISTRATION_REQUESTED."""
    meter_point = registration.meter_point
    if meter_point.status == metering_models.MeterPointStatus.PENDING and registration.flow_requested:
        return REGISTRATION_REQUESTED
    return GB_METER_POINT_STATUSES[meter_point.status]


def meter_point_statuses(
    *, supplier: models.ImportSupplier | None, external_account_number: str
) -> list[dict[str, str]]:
    """`[{mpxn, status}]` for the meter points of an imported account (three queries); empty when
    the account is unknown, not imported yet, or has no meter points."""
    try:
        process = imported_account(supplier=supplier, external_account_number=external_account_number)
    except models.AccountImportProcess.DoesNotExist:
        return []
    return [
        {
            "mpxn": registration.meter_point.identifier,
            "status": gb_meter_point_status(registration=registration),
        }
        for registration in meter_point_registrations(account_id=process.account_id)
    ]
