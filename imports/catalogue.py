"""What a Kraken instance knows that import rules check payloads against: tariffs and products
(read from billing by `imports.queries.build_catalogue`) plus the instance configuration below
(operations teams, market participants, PSR codes, ...). A plain value built once per batch, so the
rules never query the database per account."""

from __future__ import annotations

import dataclasses
from datetime import datetime


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
    operations_teams: frozenset[str] = frozenset({"Migration", "Operations", "Business Team"})
    market_participants: dict[str, frozenset[str]] = dataclasses.field(
        default_factory=lambda: {
            "TENT": frozenset({"ELECTRICITY", "GAS"}),
            "EDFE": frozenset({"ELECTRICITY"}),
            "BGS": frozenset({"GAS"}),
            "UDMS": frozenset({"ELECTRICITY"}),
            "CORG": frozenset({"GAS"}),
        }
    )
    campaigns: frozenset[str] = frozenset({"spring-sale", "Spring sale", "loyalty", "Loyalty"})
    ledger_codes: frozenset[str] = frozenset({"ENERGY", "ELECTRICITY", "GAS", "VOUCHERS"})
    psr_elec_codes: frozenset[str] = frozenset(f"{n:02d}" for n in range(1, 40))
    psr_gas_codes: frozenset[str] = frozenset(f"{n:02d}" for n in range(1, 40))
    psr_descriptions: frozenset[str] = frozenset(
        {"Pensionable age", "Blind", "Partially sighted", "Hearing impairment", "Medical equipment"}
    )
    reference_namespaces: frozenset[str] = frozenset({"LEGACY", "CRM", "BILLING_SYSTEM"})
    existing_references: frozenset[tuple[str, str]] = frozenset()
    existing_cais_references: frozenset[str] = frozenset()
    cais_references_supported: bool = True
    dunning_paths: frozenset[str] = frozenset({"STANDARD", "VULNERABLE"})
    debt_collection_agencies: frozenset[str] = frozenset({"Agency One", "Agency Two"})
    customer_detail_namespaces: dict[str, str] = dataclasses.field(
        default_factory=lambda: {"preferred_contact": "str", "loyalty_number": "int", "vip": "bool"}
    )
    unique_customer_detail_namespaces: frozenset[str] = frozenset({"loyalty_number"})
    required_customer_detail_namespaces: frozenset[str] = frozenset()
    business_detail_keys: dict[str, str] = dataclasses.field(
        default_factory=lambda: {"sic_code": "str", "employees": "int", "vat_registered": "bool"}
    )
    complaint_types: dict[str, frozenset[str]] = dataclasses.field(
        default_factory=lambda: {
            "BILLING": frozenset({"ACCURACY", "FREQUENCY"}),
            "METERING": frozenset({"FAULT"}),
        }
    )
    official_complaint_organisations: dict[str, frozenset[str]] = dataclasses.field(
        default_factory=lambda: {"OMBUDSMAN": frozenset({"OPEN", "CLOSED"})}
    )
    complaint_sources: frozenset[str] = frozenset({"EMAIL", "PHONE", "LETTER"})
    contribution_schemes: frozenset[str] = frozenset({"ECO", "WHD"})
    affiliate_organisations: frozenset[str] = frozenset({"Broker Ltd", "Comparison Site"})
    partner_organisations: frozenset[str] = frozenset({"ORG-0001", "ORG-0002"})
    payment_plan_strategies: frozenset[str] = frozenset({"EQUAL_INSTALMENTS", "FRONT_LOADED"})
    standalone_payment_request_methods: frozenset[str] = frozenset({"CARD", "BANK_TRANSFER"})
    characteristics: dict[str, frozenset[str] | None] = dataclasses.field(
        default_factory=lambda: {
            "sales_channel": None,
            "ELEC_TARIFF_TYPE": frozenset({"STANDARD", "TIME_OF_USE", "CUSTOM"}),
            "gbr-electricity.meter-rate-profile": None,
            "gbr-electricity.payment-method": frozenset({"CREDIT", "PREPAY"}),
            "gbr-gas.payment-method": frozenset({"CREDIT", "PREPAY"}),
            "gbr-gas.meter-point-grid-supply-point-equivalent": None,
        }
    )
    file_store_paths: frozenset[str] = frozenset({"statements/2024/01.pdf", "notes/letter.pdf"})
    internal_email_addresses: frozenset[str] = frozenset({"info@kraken.info", "hello@kraken.energy"})
    consents_enabled: bool = True
    consent_types: frozenset[str] = frozenset()
    managed_accounts_allowed: bool = False
    incomplete_payments_enabled: bool = False
    billing_document_identifiers_enabled: bool = True
    max_active_deposits: int = 1
    payment_day_range: tuple[int, int] = (1, 28)
    fixed_payment_amount_range: tuple[int, int] = (1, 10_000)
    exclusive_user_roles: frozenset[str] = frozenset({"EXECUTOR"})


DEFAULT = Catalogue()
