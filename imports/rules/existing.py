"""Project rules (not in the contract) about identifiers another account holds already: a meter
point's MPAN/MPRN and a payment instruction's reference. Like the documented
`reference_already_exists` and `cais_reference_already_in_use_on_another_account`, they read what
the operation looked up before validating (`RuleContext.lookup`, filled by
`imports.operations.existing_lookup`); the database's unique constraints still guard the write, and
a concurrent write that takes one first is refused with the same code."""

from __future__ import annotations

from imports import error_codes
from imports.rules.registry import REGISTRY

MPXN_IN_USE = {
    "name": "Supply point identifier not held by another account",
    "description": (
        "Validate that no account in Kraken has a meter point with this identifier (MPAN, MPRN, "
        "NMI or SPIN) in the supplier's market already."
    ),
}
REFERENCE_IN_USE = {
    "name": "Payment instruction reference not held by another account",
    "description": (
        "Validate that no account in Kraken has a payment method with this vendor and reference "
        "(direct debit mandate or card token) already."
    ),
}


def _identifier_taken(value, ctx, parent=None) -> bool:
    return value in ctx.lookup.get("taken_identifiers", ())


def _reference_taken(value, ctx, parent=None) -> bool:
    vendor = (parent or {}).get("vendor")
    if not isinstance(vendor, str) or not isinstance(value, str):
        return False
    return (vendor[:64], value[:255]) in ctx.lookup.get("taken_payment_references", ())


for _point in ("ElectricityMeterPoint", "GasMeterPoint"):
    REGISTRY.group(f"{_point}.identifier").rule(
        2, error_codes.MPXN_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT, _identifier_taken, project_spec=MPXN_IN_USE
    )
REGISTRY.group("PaymentInstruction.reference").rule(
    1,
    error_codes.PAYMENT_INSTRUCTION_REFERENCE_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT,
    _reference_taken,
    project_spec=REFERENCE_IN_USE,
)
