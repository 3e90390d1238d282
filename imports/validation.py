"""Validate a request document: what no column can hold first (`kernel.sanitise`: unstorable text,
numbers beyond any column, deep nesting; nothing else runs on such a document), then the JSON-schema
shape (types, required fields, unknown fields refused, real dates and instants, plain decimals),
then every applicable rule of the registry. Every kind of failure comes back as a `Failure` with a
field path (`attr`) and an exact code; no detail repeats the value it refuses."""

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
from kernel import sanitise

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
    "minimum": error_codes.MIN_VALUE,
    "maximum": error_codes.MAX_VALUE,
}
FORMAT_CODES = {
    "date": error_codes.INVALID_DATE,
    "date-time": error_codes.INVALID_DATETIME,
    "decimal": error_codes.INVALID_DECIMAL,
}
FORMAT_DETAILS = {
    "date": "Not a real calendar date in the format YYYY-MM-DD.",
    "date-time": "Not a real date and time in ISO 8601 format (YYYY-MM-DDThh:mm[:ss][+hh:mm|Z]).",
    "decimal": "Not a plain decimal number (digits, an optional sign and decimal point).",
    "email": "Enter a valid email address.",
}
TYPE_DETAILS = {
    "string": "Not a valid string.",
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "boolean": "Must be a valid boolean.",
    "array": "Expected a list of items.",
    "object": "Expected an object.",
}
STORAGE_CODES = {
    sanitise.NUL_CHARACTER: error_codes.NULL_CHARACTERS_NOT_ALLOWED,
    sanitise.SURROGATE_CHARACTER: error_codes.SURROGATE_CHARACTERS_NOT_ALLOWED,
    sanitise.CONTROL_CHARACTER: error_codes.CONTROL_CHARACTERS_NOT_ALLOWED,
    sanitise.NESTED_TOO_DEEPLY: error_codes.NESTED_TOO_DEEPLY,
    sanitise.ABOVE_RANGE: error_codes.MAX_VALUE,
    sanitise.BELOW_RANGE: error_codes.MIN_VALUE,
    sanitise.NOT_A_FINITE_NUMBER: error_codes.NOT_A_FINITE_NUMBER,
}
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
INSTANT_PATTERN = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?"
)
DECIMAL_PATTERN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_fast: dict[str, Callable] = {}
_full: dict[str, jsonschema.Draft7Validator] = {}


def json_schema(name: str) -> dict:
    return {"$ref": f"#/definitions/{name}", "definitions": DEFINITIONS}


def _schema_name(document: str, territory: str) -> str:
    return TERRITORY_SCHEMAS.get((territory, document), DOCUMENT_SCHEMAS[document])


def storage_failures(data, *, path: tuple = ()) -> list[base.Failure]:
    """What in a parsed request no column can hold (`kernel.sanitise.document_problems`), each at
    its attr (under `path`) with its exact code. Raises nothing."""
    return [
        base.Failure(
            problem.attr or base.NON_FIELD_ERRORS,
            STORAGE_CODES[problem.kind],
            f"This value {problem.message}.",
            "sanitise",
            0,
        )
        for problem in sanitise.document_problems(data, path=path)
    ]


def schema_failures(data, *, document: str, territory: str) -> list[base.Failure]:
    name = _schema_name(document, territory)
    if name not in _fast:
        _fast[name] = _pass_fail_validator(json_schema(name))
        _full[name] = jsonschema.Draft7Validator(json_schema(name), format_checker=FORMAT_CHECKER)
    try:
        _fast[name](data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    failures = list(
        {
            (failure.attr, failure.code): failure
            for error in _full[name].iter_errors(data)
            for failure in _failures_of(error)
        }.values()
    )
    return failures or [
        base.Failure(base.NON_FIELD_ERRORS, error_codes.INVALID, "Invalid payload.", "schema", 0)
    ]


def _failures_of(error: jsonschema.ValidationError) -> list[base.Failure]:
    """The field-level failures one schema error stands for. A failed `anyOf` (a discriminated
    union, or a value that may also be null) reports the failures of the branch the value was meant
    for, not the union."""
    path = list(error.absolute_path)
    validator = error.validator
    if validator in ("anyOf", "oneOf"):
        return _branch_failures(error)
    code = SCHEMA_CODES.get(validator, error_codes.INVALID)
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
        detail = "This field is required."
    elif validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return [
            base.Failure(
                base.attr_of((*path, sanitise.safe_text(str(field)))), code, "Unknown field.", "schema", 0
            )
            for field in unknown
        ]
    elif validator == "type" and error.instance is None:
        code, detail = error_codes.NULL, "This field may not be null."
    elif validator == "type":
        expected = error.validator_value
        expected = (
            next((t for t in expected if t != "null"), "string") if isinstance(expected, list) else expected
        )
        detail = TYPE_DETAILS.get(expected, "Invalid value.")
    elif validator == "format":
        code = FORMAT_CODES.get(error.validator_value, error_codes.INVALID)
        detail = FORMAT_DETAILS.get(error.validator_value, "Invalid value.")
    elif validator == "enum":
        detail = "Not a valid choice."
    elif validator == "pattern" and error.schema.get("format") == "decimal":
        code = error_codes.INVALID_DECIMAL
        digits = re.findall(r"\\d\{0,(\d+)\}", error.validator_value)
        detail = (
            f"Ensure there are no more than {digits[0]} digits before the decimal point and "
            f"{digits[1]} after it."
            if len(digits) == 2
            else "Not a decimal number in the expected range."
        )
    elif validator == "pattern":
        detail = "This value does not have the expected format."
    elif validator == "maxLength":
        detail = f"Ensure this field has no more than {error.validator_value} characters."
    elif validator == "minLength":
        detail = f"Ensure this field has at least {error.validator_value} characters."
    elif validator == "maximum":
        detail = f"Ensure this value is less than or equal to {error.validator_value}."
    elif validator == "minimum":
        detail = f"Ensure this value is greater than or equal to {error.validator_value}."
    else:
        detail = "Invalid value."
    return [base.Failure(base.attr_of(path) or base.NON_FIELD_ERRORS, code, detail, "schema", 0)]


def _branch_failures(error: jsonschema.ValidationError) -> list[base.Failure]:
    """The failures of the `anyOf` branch `error.instance` was meant for: the branch its
    discriminating field names (a missing or unknown discriminator is that field's failure), else
    the branch whose type the value has with the fewest failures."""
    branches = error.validator_value
    names = [branch.get("$ref", "").rpartition("/")[2] for branch in branches]
    discriminators = [base.CONTRACT["discriminators"].get(name) for name in names]
    instance = error.instance
    path = list(error.absolute_path)
    by_branch: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    props = {d[0] for d in discriminators if d}
    if isinstance(instance, dict) and len(props) == 1 and None not in discriminators:
        (prop,) = props
        if prop != base.SUPPLIER_DISCRIMINATOR:
            attr = base.attr_of((*path, prop))
            if instance.get(prop) is None:
                return [base.Failure(attr, error_codes.REQUIRED, "This field is required.", "schema", 0)]
            chosen = next((i for i, d in enumerate(discriminators) if d[1] == instance[prop]), None)
            if chosen is None:
                return [base.Failure(attr, error_codes.INVALID_CHOICE, "Not a valid choice.", "schema", 0)]
            return [f for sub in by_branch.get(chosen, ()) for f in _failures_of(sub)]
    candidates = [
        subs
        for subs in by_branch.values()
        if not (len(subs) == 1 and subs[0].validator == "type" and not subs[0].relative_path)
    ]
    if not candidates:
        expected = [b.get("type") for b in branches if b.get("type") and b.get("type") != "null"]
        detail = TYPE_DETAILS.get(expected[0], "Invalid value.") if expected else "Invalid value."
        return [
            base.Failure(
                base.attr_of(path) or base.NON_FIELD_ERRORS, error_codes.INVALID, detail, "schema", 0
            )
        ]
    return [f for sub in min(candidates, key=len) for f in _failures_of(sub)]


def _pass_fail_validator(schema: dict) -> Callable:
    """fastjsonschema's validator for `schema`, used only to answer valid or not (the messages of an
    invalid document come from jsonschema), so two costs it pays for its messages are cut: a string
    enum becomes a set-membership custom format instead of a chain of comparisons (the transaction
    reasons have hundreds of values), a discriminated union tries first the branch the value's
    discriminator names (`_named_branch_first`), and the error path it builds for every array item
    with `.format(**locals())` (a copy of all locals of the large account function) stays a template."""
    formats: dict[str, object] = {"date": _is_calendar_date, "date-time": _is_instant, "decimal": _is_decimal}
    code = fastjsonschema.compile_to_code(
        _enums_as_formats(_named_branch_first(schema), formats),
        formats=formats,
        use_default=False,
        detailed_exceptions=False,
    )
    namespace: dict = {}
    exec(code.replace(".format(**locals())", ""), namespace)  # what fastjsonschema.compile does
    return functools.partial(namespace["validate"], custom_formats=formats)


# Texts found to be real calendar dates: payloads repeat their dates, and chunks one another's.
# Emptied when full, so hostile input cannot grow it.
_calendar_dates: set[str] = set()


def _is_calendar_date(value: str) -> bool:
    """A `YYYY-MM-DD` that names a real day: the pattern alone would let 2026-13-45 through."""
    if value in _calendar_dates:
        return True
    if not DATE_PATTERN.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    if len(_calendar_dates) >= base.MEMO_SIZE:
        _calendar_dates.clear()
    _calendar_dates.add(value)
    return True


def _is_instant(value: str) -> bool:
    """An ISO 8601 date and time (`YYYY-MM-DDThh:mm[:ss[.ffffff]]`, optionally with an offset or
    `Z`) that names a real moment."""
    if not INSTANT_PATTERN.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_decimal(value: str) -> bool:
    """A plain finite decimal number: no exponent, no NaN or Infinity."""
    return DECIMAL_PATTERN.fullmatch(value) is not None


def _for_strings(check: Callable[[str], bool]) -> Callable[[object], bool]:
    """A format check that, as JSON Schema says, passes every value that is not a string."""
    return lambda value: not isinstance(value, str) or check(value)


FORMAT_CHECKER = jsonschema.FormatChecker(["email"])
for _format, _check in (("date", _is_calendar_date), ("date-time", _is_instant), ("decimal", _is_decimal)):
    FORMAT_CHECKER.checks(_format)(_for_strings(_check))


def _named_branch_first(schema):
    """A copy of `schema` where each discriminated union (an `anyOf` of definitions that
    `base.CONTRACT["discriminators"]` names by one field of the value) tries first the branch the
    value's discriminator names, then the others as before: a transaction of type CHARGE was tried
    as a CREDIT first, and a gas meter point as an electricity one, each failure raising and caught.
    The same documents pass, since `anyOf` passes whatever order its branches are tried in (the
    branches do not all pin their discriminator, so the other branches are still tried)."""
    if isinstance(schema, list):
        return [_named_branch_first(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copied = {key: _named_branch_first(value) for key, value in schema.items()}
    branches = copied.get("anyOf")
    discriminators = [
        base.CONTRACT["discriminators"].get(branch.get("$ref", "").rpartition("/")[2])
        if isinstance(branch, dict) and set(branch) == {"$ref"}
        else None
        for branch in branches or ()
    ]
    if not discriminators or None in discriminators:
        return copied
    props = {prop for prop, _ in discriminators}
    if len(props) != 1 or base.SUPPLIER_DISCRIMINATOR in props:
        return copied
    (prop,) = props
    chosen: dict = {"anyOf": branches}  # a value no branch names: every branch in documented order
    for index in reversed(range(len(branches))):
        named = {"properties": {prop: {"enum": [discriminators[index][1]]}}, "required": [prop]}
        first = [branches[index], *branches[:index], *branches[index + 1 :]]
        chosen = {"if": named, "then": {"anyOf": first}, "else": chosen}
    del copied["anyOf"]
    return {**copied, **chosen} if copied else chosen


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
    storable: bool = False,
) -> tuple[object, list[base.Failure]]:
    """Returns the normalised document (a copy; normalisers may have changed it) and every failure:
    what no column can hold (then nothing else is checked), else schema failures first, then rule
    failures in run order (`storable`: the caller has checked what no column can hold). Raises
    nothing for bad input."""
    if not storable and (failures := storage_failures(data)):
        return data, failures
    normalised = _copy_json(data)
    failures = schema_failures(data, document=document, territory=supplier.territory)
    if isinstance(normalised, dict):
        ctx = base.RuleContext(
            supplier=supplier, now=now, catalogue=catalogue, variant=variant, lookup=lookup or {}
        )
        failures += rules.REGISTRY.run(normalised, document=document, ctx=ctx)
    return normalised, failures


# What `_copy_json` returns as it is: a payload's leaves, copied inline rather than by a call each.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _copy_json(value):
    """A deep copy of parsed JSON (dicts, lists, scalars), several times faster than deepcopy."""
    if isinstance(value, dict):
        return {key: item if item.__class__ in _SCALARS else _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [item if item.__class__ in _SCALARS else _copy_json(item) for item in value]
    return value
