"""Import validators as ordered rule objects. Importing this package registers every rule."""

from imports.rules import account, existing, parts, requests  # noqa: F401  (registration)
from imports.rules.base import (  # noqa: F401
    ACCOUNT,
    HISTORICAL_STATEMENTS,
    NOTES,
    PAYMENT_INSTRUCTION,
    PROCESS,
    TASK_PARAMS,
    TRANSACTIONS,
    Failure,
    RuleContext,
    SupplierConfig,
)
from imports.rules.registry import REGISTRY  # noqa: F401
