"""Account-level rules: GB `EnergyAccount` (OpenAPI) and the JP seed groups `account` and
`account_variant_b` (JP v1 payloads use `account`; v2 payloads, which the seed switched to
`JpnFuelBasedAccount`, use `account_variant_b`). Importing this package declares them.

    _identity    account type and flags, names, billing address, portfolio, business, customers
    _statements  transactions, statements, balances, billing document identifiers, vouchers
    _ledgers     ledgers, payment preferences, plans and schedules
    _supply      meter points, agreements, the billed period
    _meters      meters, registers, readings
    _groups      the groups' documented order, declared on the registry
"""

from imports.rules.account._groups import CHECKS, GB_ACCOUNT, JP_ACCOUNT, JP_ACCOUNT_VARIANT_B

__all__ = ["CHECKS", "GB_ACCOUNT", "JP_ACCOUNT", "JP_ACCOUNT_VARIANT_B"]
