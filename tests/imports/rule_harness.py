"""Running one rule's case through validation only (no database, no HTTP): the reference document
of the rule's document and territory, the node the rule looks at (created if the reference lacks
it), a mutation of that node (and of the environment: supplier settings, catalogue, lookups), and
the failures validation reports."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import datetime

from imports import validation
from imports.rules import base
from tests.imports import payloads as P
from tests.imports import rule_cases as cases

SPEC = json.loads((base.SCHEMA_DIR / "validators.json").read_text())
LOOKUP = {"process_exists": True, "account_number": "A-1234ABCD", "statement_ids": set()}
REFERENCES = {
    base.PROCESS: {
        "import_supplier_code": "EDF",
        "external_account_number": "EXT-0001",
        "operations_team_name": "Migration",
    },
    base.TASK_PARAMS: {
        "is_dry_run": False,
        "schedule_window_start": "2026-06-15T13:00:00Z",
        "schedule_window_end": "2026-06-16T00:00:00Z",
    },
    base.HISTORICAL_STATEMENTS: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "statements": [
            {
                "statement_id": "S-1",
                "bill_period_from_date": "2026-04-01",
                "bill_period_to_date": "2026-04-30",
                "statement_path": "statements/2024/01.pdf",
            }
        ],
    },
    base.TRANSACTIONS: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "transactions": [
            {
                "type": "CHARGE",
                "transaction_id": "T-9",
                "amount": "1.00",
                "reason": "IMPORTED_CHARGE",
                "transaction_date": "2026-06-01",
            }
        ],
    },
    base.NOTES: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "notes": [{"body": "Hello", "created_at": "2026-06-01T10:00:00Z"}],
    },
    base.PAYMENT_INSTRUCTION: {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "type": "DIRECT_DEBIT",
        "vendor": "STRIPE",
        "reference": "R-1",
    },
}


def reference(document: str, territory: str) -> dict:
    if document == base.ACCOUNT:
        return P.jp_account() if territory == "JP" else P.gb_account()
    return copy.deepcopy(REFERENCES[document])


def run(data, *, document, territory="GB", variant="v1", env: cases.Env | None = None, now: datetime = P.NOW):
    env = env or cases.Env(root=data, lookup=dict(LOOKUP))
    supplier = base.SupplierConfig(code="EDF", territory=territory, **env.supplier)
    catalogue = P.test_catalogue()
    if env.tariff_changes:
        available_to = datetime.fromisoformat(env.tariff_changes["available_to"] + "T00:00:00+00:00")
        catalogue = dataclasses.replace(
            catalogue,
            tariffs={
                code: dataclasses.replace(info, available_to=available_to)
                for code, info in catalogue.tariffs.items()
            },
        )
    catalogue = dataclasses.replace(catalogue, **env.catalogue)
    _, failures = validation.validate(
        data,
        document=document,
        supplier=supplier,
        now=now,
        catalogue=catalogue,
        variant=variant,
        lookup=env.lookup,
    )
    return failures


def ensure(data: dict, pattern: str, rule: base.Rule, env: cases.Env) -> tuple[tuple, dict]:
    """The first node at `pattern` that this rule applies to, created if the reference lacks it."""
    node, path = data, ()
    parts = pattern.split(".") if pattern else []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        key = part.removesuffix("[]")
        if not part.endswith("[]"):
            node = (
                node.setdefault(key, {}) if isinstance(node.get(key), dict) or key not in node else node[key]
            )
            path = (*path, key)
            continue
        children = node.get(key) if isinstance(node.get(key), list) and node.get(key) else None
        if children is None:
            children = node[key] = []
        wanted = None
        if last and rule.discriminator and rule.discriminator[0] != "enforce_business_contracts_exist":
            wanted = rule.discriminator
        elif key == "meter_points" and _fuel(rule):
            wanted = ("supply_type", _fuel(rule))
        position = next(
            (
                i
                for i, child in enumerate(children)
                if isinstance(child, dict) and (wanted is None or child.get(wanted[0]) == wanted[1])
            ),
            None,
        )
        if position is None:
            children.append({wanted[0]: wanted[1]} if wanted else {})
            position = len(children) - 1
        node, path = children[position], (*path, key, position)
    if rule.discriminator and rule.discriminator[0] == "enforce_business_contracts_exist":
        env.supplier["enforce_business_contracts_exist"] = rule.discriminator[1]
    return path, node


def _fuel(rule: base.Rule) -> str | None:
    """The supply type of the meter point a rule's node belongs under (its group's fuel)."""
    if rule.parent_supply_type:
        return rule.parent_supply_type
    if rule.group.startswith("Gas"):
        return "GAS"
    return "ELECTRICITY" if rule.group.startswith("Electricity") else None


def where(rule: base.Rule) -> tuple[str, str]:
    """The document and territory a rule's cases use."""
    document = base.ACCOUNT if base.ACCOUNT in rule.locations else next(iter(rule.locations))
    return document, ("JP" if "GB" not in rule.territories else "GB")


def outcome(rule: base.Rule, mutate: Callable) -> tuple[str, list[base.Failure]]:
    """(the attr the rule reports at, every failure) once `mutate(node, env)` changed the reference
    document at the rule's node."""
    document, territory = where(rule)
    data = reference(document, territory)
    env = cases.Env(root=data, lookup=dict(LOOKUP))
    path, node = ensure(data, rule.locations[document][0], rule, env)
    mutate(node, env)
    attr = (
        base.attr_of((*path, rule.field or base.NON_FIELD_ERRORS))
        if (path or rule.field)
        else base.NON_FIELD_ERRORS
    )
    return attr, run(data, document=document, territory=territory, variant=rule.variants[0], env=env)
