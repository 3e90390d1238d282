"""Validate a request document: JSON-schema shape first (types, required fields, unknown fields
refused), then every applicable rule of the registry. Both kinds of failure come back as `Failure`s
with a field path (`attr`) and an exact code."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime

import fastjsonschema
import jsonschema

from imports import catalogue as catalogue_module
from imports import error_codes, rules
from imports.rules import base

DEFINITIONS = base.CONTRACT["definitions"]
DOCUMENT_SCHEMAS = {
    rules.ACCOUNT: "EnergyAccount",
    rules.PROCESS: "ProcessAccountImportProcess",
    rules.TASK_PARAMS: "TaskParameters",
    rules.HISTORICAL_STATEMENTS: "HistoricalStatements",
    rules.TRANSACTIONS: "Transactions",
    rules.NOTES: "AccountNote",
    rules.PAYMENT_INSTRUCTION: "LegacyPaymentInstruction",
}
TERRITORY_SCHEMAS = {("JP", rules.ACCOUNT): "JpnAccount"}
SCHEMA_CODES = {
    "required": error_codes.REQUIRED,
    "additionalProperties": error_codes.UNKNOWN_FIELD,
    "enum": error_codes.INVALID_CHOICE,
    "maxLength": error_codes.MAX_LENGTH,
    "minLength": error_codes.MIN_LENGTH,
}
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_fast: dict[str, Callable] = {}
_full: dict[str, jsonschema.Draft7Validator] = {}


def json_schema(name: str) -> dict:
    return {"$ref": f"#/definitions/{name}", "definitions": DEFINITIONS}


def _schema_name(document: str, territory: str) -> str:
    return TERRITORY_SCHEMAS.get((territory, document), DOCUMENT_SCHEMAS[document])


def schema_failures(data, *, document: str, territory: str) -> list[base.Failure]:
    name = _schema_name(document, territory)
    if name not in _fast:
        _fast[name] = _pass_fail_validator(json_schema(name))
        _full[name] = jsonschema.Draft7Validator(json_schema(name), format_checker=jsonschema.FormatChecker())
    try:
        _fast[name](data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    failures = []
    for error in _full[name].iter_errors(data):
        path = list(error.absolute_path)
        code = SCHEMA_CODES.get(error.validator, error_codes.INVALID)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path.append(missing)
            detail = "This field is required."
        elif error.validator == "additionalProperties":
            unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for field in unknown:
                failures.append(
                    base.Failure(base.attr_of((*path, field)), code, "Unknown field.", "schema", 0)
                )
            continue
        elif error.validator == "type" and error.instance is None:
            code, detail = error_codes.NULL, "This field may not be null."
        else:
            detail = error.message if len(error.message) < 200 else error.message[:197] + "..."
        failures.append(base.Failure(base.attr_of(path) or base.NON_FIELD_ERRORS, code, detail, "schema", 0))
    return failures or [
        base.Failure(base.NON_FIELD_ERRORS, error_codes.INVALID, "Invalid payload.", "schema", 0)
    ]


def _pass_fail_validator(schema: dict) -> Callable:
    """fastjsonschema's validator for `schema`, used only to answer valid or not (the messages of an
    invalid document come from jsonschema), so two costs it pays for its messages are cut: a string
    enum becomes a set-membership custom format instead of a chain of comparisons (the transaction
    reasons have hundreds of values), and the error path it builds for every array item with
    `.format(**locals())` (a copy of all locals of the large account function) stays a template."""
    formats: dict[str, object] = {"date": _is_calendar_date}
    code = fastjsonschema.compile_to_code(
        _enums_as_formats(schema, formats), formats=formats, use_default=False, detailed_exceptions=False
    )
    namespace: dict = {}
    exec(code.replace(".format(**locals())", ""), namespace)  # what fastjsonschema.compile does
    return functools.partial(namespace["validate"], custom_formats=formats)


def _is_calendar_date(value: str) -> bool:
    """A `YYYY-MM-DD` that names a real day: the pattern alone would let 2026-13-45 through."""
    if not re.fullmatch(DATE_PATTERN, value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _enums_as_formats(schema, formats: dict[str, object]):
    """A copy of `schema` where each `{"type": "string", "enum": [strings]}` tests membership of a
    frozenset through a custom format: the same documents pass."""
    if isinstance(schema, list):
        return [_enums_as_formats(item, formats) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copied = {key: _enums_as_formats(value, formats) for key, value in schema.items()}
    choices = copied.get("enum")
    if (
        copied.get("type") == "string"
        and "format" not in copied
        and isinstance(choices, list)
        and all(isinstance(choice, str) for choice in choices)
    ):
        name = f"enum-{len(formats)}"
        formats[name] = frozenset(choices).__contains__
        copied["format"] = name
        del copied["enum"]
    return copied


def validate(
    data,
    *,
    document: str,
    supplier: base.SupplierConfig,
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    variant: str = "v1",
    lookup: dict | None = None,
) -> tuple[object, list[base.Failure]]:
    """Returns the normalised document (a copy; normalisers may have changed it) and every failure:
    schema failures first, then rule failures in run order. Raises nothing for bad input."""
    failures = schema_failures(data, document=document, territory=supplier.territory)
    normalised = _copy_json(data)
    if isinstance(normalised, dict):
        ctx = base.RuleContext(
            supplier=supplier, now=now, catalogue=catalogue, variant=variant, lookup=lookup or {}
        )
        failures += rules.REGISTRY.run(normalised, document=document, ctx=ctx)
    return normalised, failures


def _copy_json(value):
    """A deep copy of parsed JSON (dicts, lists, scalars), several times faster than deepcopy."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value
