"""What a Kraken instance knows that import rules check payloads against: tariffs and products
(read from billing by `imports.queries.build_catalogue`) plus the instance configuration
(operations teams, market participants, PSR codes, ...: the `ImportConfiguration` row, editable in
admin; the defaults below come from `imports.configuration`). A plain value built once per batch, so the
rules never query the database per account."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from imports import configuration


def _setting(name: str):
    """A configuration setting's default (`imports.configuration.DEFAULTS`) as a dataclass field."""
    return dataclasses.field(default_factory=lambda: configuration.default_catalogue_value(name))


@dataclasses.dataclass(frozen=True)
class TariffInfo:
    code: str
    utility_type: str
    product_code: str
    available_from: datetime | None
    available_to: datetime | None
    rate_bands: frozenset[str]
    is_variable: bool = True
    is_prepay: bool = False
    rate_count: int = 1
    tariff_id: int | None = None


@dataclasses.dataclass(frozen=True)
class Catalogue:
    tariffs: dict[str, TariffInfo] = dataclasses.field(default_factory=dict)
    products: dict[str, TariffInfo] = dataclasses.field(default_factory=dict)
    operations_teams: frozenset[str] = _setting("operations_teams")
    market_participants: dict[str, frozenset[str]] = _setting("market_participants")
    campaigns: frozenset[str] = _setting("campaigns")
    ledger_codes: frozenset[str] = _setting("ledger_codes")
    psr_elec_codes: frozenset[str] = _setting("psr_elec_codes")
    psr_gas_codes: frozenset[str] = _setting("psr_gas_codes")
    psr_descriptions: frozenset[str] = _setting("psr_descriptions")
    reference_namespaces: frozenset[str] = _setting("reference_namespaces")
    cais_references_supported: bool = _setting("cais_references_supported")
    dunning_paths: frozenset[str] = _setting("dunning_paths")
    debt_collection_agencies: frozenset[str] = _setting("debt_collection_agencies")
    customer_detail_namespaces: dict[str, str] = _setting("customer_detail_namespaces")
    unique_customer_detail_namespaces: frozenset[str] = _setting("unique_customer_detail_namespaces")
    required_customer_detail_namespaces: frozenset[str] = _setting("required_customer_detail_namespaces")
    business_detail_keys: dict[str, str] = _setting("business_detail_keys")
    complaint_types: dict[str, frozenset[str]] = _setting("complaint_types")
    official_complaint_organisations: dict[str, frozenset[str]] = _setting("official_complaint_organisations")
    complaint_sources: frozenset[str] = _setting("complaint_sources")
    contribution_schemes: frozenset[str] = _setting("contribution_schemes")
    affiliate_organisations: frozenset[str] = _setting("affiliate_organisations")
    partner_organisations: frozenset[str] = _setting("partner_organisations")
    payment_plan_strategies: frozenset[str] = _setting("payment_plan_strategies")
    standalone_payment_request_methods: frozenset[str] = _setting("standalone_payment_request_methods")
    characteristics: dict[str, frozenset[str] | None] = _setting("characteristics")
    file_store_paths: frozenset[str] = _setting("file_store_paths")
    file_store_validation_enabled: bool = _setting("file_store_validation_enabled")
    internal_email_addresses: frozenset[str] = _setting("internal_email_addresses")
    consents_enabled: bool = _setting("consents_enabled")
    consent_types: frozenset[str] = _setting("consent_types")
    managed_accounts_allowed: bool = _setting("managed_accounts_allowed")
    incomplete_payments_enabled: bool = _setting("incomplete_payments_enabled")
    billing_document_identifiers_enabled: bool = _setting("billing_document_identifiers_enabled")
    max_active_deposits: int = _setting("max_active_deposits")
    payment_day_range: tuple[int, int] = _setting("payment_day_range")
    fixed_payment_amount_range: tuple[int, int] = _setting("fixed_payment_amount_range")
    exclusive_user_roles: frozenset[str] = _setting("exclusive_user_roles")


DEFAULT = Catalogue()
