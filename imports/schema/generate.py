"""Regenerate `imports/schema/contract.json` from the published Data Import OpenAPI document.

    .venv/bin/python -m imports.schema.generate ../shared/reference/kraken-data-import-openapi.yml

The output holds (1) the request schemas converted from OpenAPI 3.0 to JSON Schema draft 7 (unknown
fields refused, `nullable` expanded, `oneOf` relaxed to `anyOf`, supplier enums made dynamic) and
(2) where each component schema occurs inside each request document, so the rule registry can find
the nodes a validator group applies to. Run by hand when the reference document changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

OUTPUT = Path(__file__).with_name("contract.json")
DROP = {"description", "example", "examples", "discriminator", "deprecated", "x-enum-descriptions"}
DOCUMENTS = {
    "account": "EnergyAccount",
    "process": "ProcessAccountImportProcess",
    "task_params": "TaskParameters",
    "historical_statements": "HistoricalStatements",
    "transactions": "Transactions",
    "notes": "AccountNote",
    "payment_instruction": "LegacyPaymentInstruction",
}
# Supplier codes are configured per instance (ImportSupplier rows), not a fixed enum.
DYNAMIC_ENUM_FIELDS = {"import_supplier", "import_supplier_code"}
# JP additions from the seed changelog, accepted for JP suppliers only (see IMPORTS.md section 8).
JP_ACCOUNT_PROPERTIES = {
    "ledgers": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "ledger_code": {"type": "string", "maxLength": 64},
                "ledger_identifier": {"type": "string", "maxLength": 128},
                "identifier": {"type": "string", "maxLength": 128},
                "ledger_balance": {"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$"},
            },
            "required": ["ledger_code"],
            "additionalProperties": False,
        },
    },
    "vouchers": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "charge_transaction_id": {"type": "string", "maxLength": 128},
                "value": {"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$"},
                "voucher_redemptions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"credit_transaction_id": {"type": "string", "maxLength": 128}},
                        "required": ["credit_transaction_id"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["charge_transaction_id"],
            "additionalProperties": False,
        },
    },
    "is_business": {"type": "boolean"},
    "account_contracts": {"type": "array", "items": {"type": "object"}},
}


# JP changelog enum changes (IMPORTS.md section 9): consent types became a fixed enum, and roles gained
# PAYER (17 Apr 2026).
JP_CONSENT_TYPES = [
    "contract_electronic_consent",
    "usage_billing_notificationmethod_consent",
    "usage_billing_notification_web",
    "usage_billing_notification_post",
    "usage_billing_notification_email",
    "Web_statement_delivery_channel_consent",
    "Marketing_offer_consent",
]
JP_ROLE = "PAYER"


def jp_definitions(definitions: dict) -> dict:
    """`JpnAccount`: the GB account plus the JP additions, with JP customers and consents."""
    copy = json.loads(
        json.dumps(
            {
                name: definitions[name]
                for name in ("EnergyAccount", "EnergyCustomer", "AccountConsent", "CustomerConsent")
            }
        )
    )
    customer = copy["EnergyCustomer"]
    for name in ("family_name_kanji", "given_name_kanji", "family_name_kana", "given_name_kana"):
        customer["properties"][name] = {"type": "string", "maxLength": 255}
    for field in ("account_roles", "portfolio_roles"):
        customer["properties"][field]["items"]["enum"].append(JP_ROLE)
    role = customer["properties"]["role"]
    role["enum"] = [*[v for v in role["enum"] if v is not None], JP_ROLE, None]
    for consent in ("AccountConsent", "CustomerConsent"):
        copy[consent]["properties"]["type"] = {"type": "string", "enum": JP_CONSENT_TYPES}
    customer["properties"]["consents"]["items"] = {"$ref": "#/definitions/JpnCustomerConsent"}
    account = copy["EnergyAccount"]
    account["properties"].update(JP_ACCOUNT_PROPERTIES)
    account["properties"]["customers"]["items"] = {"$ref": "#/definitions/JpnCustomer"}
    account["properties"]["consents"]["items"] = {"$ref": "#/definitions/JpnAccountConsent"}
    return {
        "JpnAccount": account,
        "JpnCustomer": customer,
        "JpnAccountConsent": copy["AccountConsent"],
        "JpnCustomerConsent": copy["CustomerConsent"],
    }


def convert(node, *, field: str | None = None):
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROP or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = value.replace("#/components/schemas/", "#/definitions/")
        elif key == "properties":
            out[key] = {name: convert(prop, field=name) for name, prop in value.items()}
        elif key == "oneOf":
            out["anyOf"] = convert(value)
        elif key == "nullable":
            continue
        else:
            out[key] = convert(value)
    if field in DYNAMIC_ENUM_FIELDS and "enum" in out:
        out.pop("enum")
        out.setdefault("type", "string")
        out["maxLength"] = 64
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def discriminators(schemas: dict) -> dict[str, tuple[str, str]]:
    """Schema name -> (property, value) that selects it inside a discriminated oneOf."""
    found = {}
    for schema in schemas.values():
        mapping = (schema.get("discriminator") or {}).get("mapping") or {}
        prop = (schema.get("discriminator") or {}).get("propertyName")
        for value, ref in mapping.items():
            found[ref.rsplit("/", 1)[-1]] = (prop, value)
    return found


def locations(schemas: dict, root: str) -> dict[str, list[str]]:
    """Schema name -> the paths (`a.b[].c`) at which it occurs in a document rooted at `root`."""
    found: dict[str, list[str]] = {}

    def visit(node, path: str, stack: tuple[str, ...]):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in stack:
                return
            found.setdefault(name, [])
            if path not in found[name]:
                found[name].append(path)
            visit(schemas[name], path, (*stack, name))
            return
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in node.get(key, []):
                visit(sub, path, stack)
        if "items" in node:
            visit(node["items"], f"{path}[]", stack)
        for name, prop in (node.get("properties") or {}).items():
            visit(prop, f"{path}.{name}" if path else name, stack)

    found[root] = [""]
    visit(schemas[root], "", (root,))
    return found


def main(argv: list[str]) -> int:
    document = yaml.safe_load(Path(argv[0]).read_text())
    schemas = document["components"]["schemas"]
    definitions = {name: convert(schema) for name, schema in schemas.items()}
    definitions.update(jp_definitions(definitions))
    request_bodies = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if body:
                request_bodies[f"{method.upper()} {path}"] = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
    contract = {
        "source": argv[0].rsplit("/", 1)[-1],
        "definitions": definitions,
        "documents": DOCUMENTS,
        "request_bodies": request_bodies,
        "discriminators": discriminators(schemas),
        "locations": {doc: locations(schemas, root) for doc, root in DOCUMENTS.items()},
    }
    OUTPUT.write_text(json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    sys.stdout.write(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
