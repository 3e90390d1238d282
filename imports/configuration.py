"""The instance configuration import rules check payloads against (operations teams, market
participants, campaigns, PSR codes, ...): its default values, the shape of each setting, and how a
stored setting becomes the `Catalogue` value the rules read.

The defaults live here only: `Catalogue`'s dataclass defaults, the `ImportConfiguration` model
defaults and its data migration all read `DEFAULTS`. Stored values are JSON (lists for sets,
objects for small maps), so `validate` checks a value's shape before it is saved."""

from __future__ import annotations

import copy
from typing import Any

# The shape of each setting, as stored (JSON) and as the catalogue holds it.
NAMES = "names"  # ["a", "b"] -> frozenset({"a", "b"})
EMAILS = "emails"  # ["Info@X.com"] -> frozenset({"info@x.com"}): compared case-insensitively
NAMES_BY_NAME = "names_by_name"  # {"k": ["a"]} -> {"k": frozenset({"a"})}
OPTIONAL_NAMES_BY_NAME = "optional_names_by_name"  # {"k": ["a"] | null} -> {"k": frozenset | None}
TYPES_BY_NAME = "types_by_name"  # {"k": "str" | "int" | "bool"} -> same dict
RANGE = "range"  # [low, high] -> (low, high), low <= high
FLAG = "flag"  # true/false
COUNT = "count"  # a non-negative integer

DETAIL_TYPES = ("str", "int", "bool")

_PSR_CODES = [f"{n:02d}" for n in range(1, 40)]

# name -> (shape, default as stored, help text)
SETTINGS: dict[str, tuple[str, Any, str]] = {
    "operations_teams": (
        NAMES,
        ["Migration", "Operations", "Business Team"],
        "Operations team names a payload's operations_team_name may use.",
    ),
    "market_participants": (
        NAMES_BY_NAME,
        {
            "TENT": ["ELECTRICITY", "GAS"],
            "EDFE": ["ELECTRICITY"],
            "BGS": ["GAS"],
            "UDMS": ["ELECTRICITY"],
            "CORG": ["GAS"],
        },
        'Market participant id -> the supply types it serves, e.g. {"TENT": ["ELECTRICITY", "GAS"]}.',
    ),
    "campaigns": (
        NAMES,
        ["spring-sale", "Spring sale", "loyalty", "Loyalty"],
        "Campaign names an account may be enrolled in.",
    ),
    "ledger_codes": (
        NAMES,
        ["ENERGY", "ELECTRICITY", "GAS", "VOUCHERS"],
        "Ledger codes JP payloads may name.",
    ),
    "psr_elec_codes": (NAMES, _PSR_CODES, "Electricity priority services register codes."),
    "psr_gas_codes": (NAMES, _PSR_CODES, "Gas priority services register codes."),
    "psr_descriptions": (
        NAMES,
        ["Pensionable age", "Blind", "Partially sighted", "Hearing impairment", "Medical equipment"],
        "Priority services register descriptions.",
    ),
    "reference_namespaces": (
        NAMES,
        ["LEGACY", "CRM", "BILLING_SYSTEM"],
        "Namespaces of external account references.",
    ),
    "cais_references_supported": (FLAG, True, "Whether payloads may carry CAIS references."),
    "dunning_paths": (NAMES, ["STANDARD", "VULNERABLE"], "Dunning path names."),
    "debt_collection_agencies": (
        NAMES,
        ["Agency One", "Agency Two"],
        "Debt collection agency names.",
    ),
    "customer_detail_namespaces": (
        TYPES_BY_NAME,
        {"preferred_contact": "str", "loyalty_number": "int", "vip": "bool"},
        'Customer detail namespace -> value type ("str", "int" or "bool").',
    ),
    "unique_customer_detail_namespaces": (
        NAMES,
        ["loyalty_number"],
        "Customer detail namespaces whose values must be unique.",
    ),
    "required_customer_detail_namespaces": (
        NAMES,
        [],
        "Customer detail namespaces every customer must have.",
    ),
    "business_detail_keys": (
        TYPES_BY_NAME,
        {"sic_code": "str", "employees": "int", "vat_registered": "bool"},
        'Business detail key -> value type ("str", "int" or "bool").',
    ),
    "complaint_types": (
        NAMES_BY_NAME,
        {"BILLING": ["ACCURACY", "FREQUENCY"], "METERING": ["FAULT"]},
        "Complaint type -> its subtypes.",
    ),
    "official_complaint_organisations": (
        NAMES_BY_NAME,
        {"OMBUDSMAN": ["OPEN", "CLOSED"]},
        "Official complaint organisation -> the statuses it uses.",
    ),
    "complaint_sources": (NAMES, ["EMAIL", "PHONE", "LETTER"], "Complaint sources."),
    "contribution_schemes": (NAMES, ["ECO", "WHD"], "Contribution scheme codes."),
    "affiliate_organisations": (
        NAMES,
        ["Broker Ltd", "Comparison Site"],
        "Affiliate organisation names.",
    ),
    "partner_organisations": (
        NAMES,
        ["ORG-0001", "ORG-0002"],
        "Partner organisation numbers (JP).",
    ),
    "payment_plan_strategies": (
        NAMES,
        ["EQUAL_INSTALMENTS", "FRONT_LOADED"],
        "Payment plan strategy names.",
    ),
    "standalone_payment_request_methods": (
        NAMES,
        ["CARD", "BANK_TRANSFER"],
        "Payment methods of standalone payment requests.",
    ),
    "characteristics": (
        OPTIONAL_NAMES_BY_NAME,
        {
            "sales_channel": None,
            "ELEC_TARIFF_TYPE": ["STANDARD", "TIME_OF_USE", "CUSTOM"],
            "gbr-electricity.meter-rate-profile": None,
            "gbr-electricity.payment-method": ["CREDIT", "PREPAY"],
            "gbr-gas.payment-method": ["CREDIT", "PREPAY"],
            "gbr-gas.meter-point-grid-supply-point-equivalent": None,
        },
        "Characteristic code -> its allowed values, or null for any value.",
    ),
    "file_store_paths": (
        NAMES,
        ["statements/2024/01.pdf", "notes/letter.pdf"],
        "File store paths attachments may point at.",
    ),
    "file_store_validation_enabled": (
        FLAG,
        False,
        "Whether statement and note document paths must be in file_store_paths (off by default, as "
        "the Data Import documentation says).",
    ),
    "internal_email_addresses": (
        EMAILS,
        ["info@kraken.info", "hello@kraken.energy"],
        "The supplier's own email addresses, refused as customer addresses.",
    ),
    "consents_enabled": (FLAG, True, "Whether payloads may carry consents."),
    "consent_types": (NAMES, [], "Consent type codes."),
    "managed_accounts_allowed": (FLAG, False, "Whether managed (broker) accounts may be imported."),
    "incomplete_payments_enabled": (FLAG, False, "Whether incomplete payments may be imported."),
    "billing_document_identifiers_enabled": (
        FLAG,
        True,
        "Whether payloads may carry billing document identifiers.",
    ),
    "max_active_deposits": (COUNT, 1, "How many active deposits an account may have."),
    "payment_day_range": (RANGE, [1, 28], "[first, last] allowed payment day of month."),
    "fixed_payment_amount_range": (
        RANGE,
        [1, 10_000],
        "[lowest, highest] fixed payment amount, in minor units.",
    ),
    "exclusive_user_roles": (
        NAMES,
        ["EXECUTOR"],
        "Account roles a user may not hold together with another role.",
    ),
}

DEFAULTS: dict[str, Any] = {name: default for name, (_, default, _) in SETTINGS.items()}


def default(name: str) -> Any:
    """A fresh copy of a setting's stored default (a model field default)."""
    return copy.deepcopy(DEFAULTS[name])


def help_text(name: str) -> str:
    return SETTINGS[name][2]


def _is_name(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def shape_error(shape: str, value) -> str | None:
    """What is wrong with a stored value of this shape, or None."""
    if shape in (NAMES, EMAILS):
        if not isinstance(value, list) or not all(_is_name(v) for v in value):
            return 'Enter a JSON list of non-empty strings, e.g. ["A", "B"].'
    elif shape in (NAMES_BY_NAME, OPTIONAL_NAMES_BY_NAME):
        example = '{"KEY": ["A", "B"]}' if shape == NAMES_BY_NAME else '{"KEY": ["A", "B"], "OTHER": null}'
        if not isinstance(value, dict) or not all(
            _is_name(k)
            and (
                (isinstance(v, list) and all(_is_name(i) for i in v))
                or (v is None and shape == OPTIONAL_NAMES_BY_NAME)
            )
            for k, v in value.items()
        ):
            return f"Enter a JSON object mapping names to lists of strings, e.g. {example}."
    elif shape == TYPES_BY_NAME:
        if not isinstance(value, dict) or not all(
            _is_name(k) and v in DETAIL_TYPES for k, v in value.items()
        ):
            return 'Enter a JSON object mapping names to "str", "int" or "bool".'
    elif shape == RANGE:
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(_is_int(v) for v in value)
            and value[0] <= value[1]
        ):
            return "Enter a JSON list of two integers [low, high] with low <= high."
    elif shape == FLAG:
        if not isinstance(value, bool):
            return "Enter true or false."
    elif shape == COUNT:
        if not _is_int(value) or value < 0:
            return "Enter a non-negative integer."
    else:  # pragma: no cover - a programming error in SETTINGS
        raise ValueError(f"unknown shape {shape!r}")
    return None


def errors(values: dict[str, Any]) -> dict[str, str]:
    """Setting name -> what is wrong with its value, for every setting of `values` in SETTINGS."""
    found = {}
    for name, value in values.items():
        if name in SETTINGS and (error := shape_error(SETTINGS[name][0], value)) is not None:
            found[name] = error
    return found


def _catalogue_value(shape: str, value):
    if shape == NAMES:
        return frozenset(value)
    if shape == EMAILS:
        return frozenset(address.lower() for address in value)
    if shape == NAMES_BY_NAME:
        return {k: frozenset(v) for k, v in value.items()}
    if shape == OPTIONAL_NAMES_BY_NAME:
        return {k: None if v is None else frozenset(v) for k, v in value.items()}
    if shape == TYPES_BY_NAME:
        return dict(value)
    if shape == RANGE:
        return (value[0], value[1])
    return value


def catalogue_values(values: dict[str, Any]) -> dict[str, Any]:
    """Stored settings (valid shapes) as the `Catalogue` fields of the same names."""
    return {name: _catalogue_value(SETTINGS[name][0], values[name]) for name in SETTINGS}


def default_catalogue_value(name: str):
    """A setting's default as the `Catalogue` holds it (a dataclass default)."""
    return _catalogue_value(SETTINGS[name][0], default(name))
