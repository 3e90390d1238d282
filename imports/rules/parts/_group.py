"""What the part rule modules share: declaring a group of consecutive rules on the registry."""

from __future__ import annotations

from imports.rules import base
from imports.rules.registry import REGISTRY

GB_AU = ("GB", "AU")
R = REGISTRY
TRANSACTION_DOCS = (base.ACCOUNT, base.TRANSACTIONS)


def group(schema: str, *specs, territories=base.ALL_TERRITORIES, locations=None, document=base.ACCOUNT):
    """Declare `specs` ((error_code, check), ...) as the rules of `schema`, in documented order."""
    return R.group(schema, territories=territories, locations=locations, document=document).rules(*specs)
