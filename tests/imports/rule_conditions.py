"""For every rule, its documented condition from both sides: a case where the rule must fail and
cases where its condition says it must stay silent (the boundary, an exemption it states, or the
near miss). Where the condition is machine-readable in `import-validators.json` (a sentence the
spec repeats in a fixed form: periods, "not in the future", "unique values for the <code>x</code>
field", catalogue membership, ...) both sides are generated from the description and the contract;
the rest are written by hand in `rule_conditions_account.py` (account-level rules, by code) and
`rule_conditions_parts.py` (the other groups, by group and order)."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta

from imports.rules import base
from tests.imports import payloads as P
from tests.imports import rule_cases as cases
from tests.imports import rule_cases_parts

Mutation = Callable[[dict, cases.Env], object]
ACCOUNT_GROUPS = ("EnergyAccount", "account", "account_variant_b")
TODAY = P.NOW.date()


@dataclasses.dataclass(frozen=True)
class Condition:
    """How to make a rule fail, how to keep it silent, and where the cases come from."""

    fires: tuple[Mutation, ...]
    silent: tuple[Mutation, ...]
    source: str  # "generated: <family>" or "hand-written"


def plain(text: str | None) -> str:
    return re.sub(r"<[^>]+>|[\u2068\u2069]", "", text or "")


def _marked(description: str) -> list[str]:
    """The names the spec marks in a description (`<code>x</code>`, or isolated `⁨x⁩`)."""
    names = re.findall(r"<code>\u2068?([^<\u2069]+)\u2069?</code>|\u2068([^\u2069]+)\u2069", description)
    return [part.strip() for a, b in names for part in (a or b).split(",")]


def _field_format(rule: base.Rule) -> str | None:
    """The schema format (`date`, `date-time`) of a field rule's field."""
    schema = base.CONTRACT["definitions"].get(rule.group.partition(".")[0], {})
    prop = schema.get("properties", {}).get(rule.field or "", {})
    return prop.get("format") or next(
        (option.get("format") for option in prop.get("anyOf", ()) if option.get("format")), None
    )


def _set(field: str, value) -> Mutation:
    def mutate(node, env):
        node[field] = copy.deepcopy(value)

    return mutate


# --- families generated from the description ------------------------------------------------------

PERIOD = re.compile(r"Validates that (\w+), if given, is (on or later|strictly later) than (\w+)\.")


def _period(rule, description):
    match = PERIOD.search(description)
    if not match:
        return None
    end, strict, start = match.group(1), match.group(2) == "strictly later", match.group(3)

    def dates(first, last):
        def mutate(node, env):
            node[start] = first
            if last is None:
                node.pop(end, None)
            else:
                node[end] = last

        return mutate

    fires = dates("2026-01-02", "2026-01-02" if strict else "2026-01-01")
    silent = (dates("2026-01-02", "2026-01-03" if strict else "2026-01-02"), dates("2026-01-02", None))
    return Condition((fires,), silent, "generated: period")


def _instant(days: int, rule) -> str:
    """Today plus `days`, in the field's format (a date, or a moment an hour from now)."""
    if _field_format(rule) == "date-time":
        moment = P.NOW + timedelta(days=days) + timedelta(hours=1 if days > 0 else -1 if days < 0 else 0)
        return moment.isoformat()
    return (TODAY + timedelta(days=days)).isoformat()


NOT_FUTURE = re.compile(r"is not in the future|is not later than today|not be in the future")
NOT_PAST = re.compile(r"is not in the past")


def _not_future(rule, description):
    if not rule.field or not NOT_FUTURE.search(description):
        return None
    return Condition(
        (_set(rule.field, _instant(1, rule)),),
        (_set(rule.field, _instant(0, rule)),),
        "generated: not in the future",
    )


def _not_past(rule, description):
    if not rule.field or not NOT_PAST.search(description):
        return None
    fires = _set(rule.field, _instant(-1, rule))
    if _field_format(rule) == "date-time":
        silent = _set(rule.field, (P.NOW + timedelta(hours=1)).isoformat())
    else:
        silent = _set(rule.field, TODAY.isoformat())
    return Condition((fires,), (silent,), "generated: not in the past")


UNIQUE_CHILDREN = re.compile(r"each child has (unique values|a unique combination of values) for the")


def _unique_children(rule, description):
    """`children_with_duplicate_values`: two children sharing the named fields fail; two that
    differ in one of them (and share the rest) pass."""
    if not rule.field or not UNIQUE_CHILDREN.search(description):
        return None
    keys = _marked(rule.spec.get("description") or "")
    template = {key: f"{key.upper()}-1" for key in keys}
    template.update(
        {k: v for k, v in rule_cases_parts.DUPLICATE_CHILDREN[rule.field][0].items() if k not in keys}
    )
    different = dict(template, **{keys[0]: f"{keys[0].upper()}-2"})
    return Condition(
        (_set(rule.field, [template, dict(template)]),),
        (_set(rule.field, [template, different]),),
        "generated: unique children",
    )


STOP = re.compile(r"The validation process will be stopped if")


def _stop_flag(rule, description):
    if not rule.field or not STOP.search(description):
        return None
    return Condition((_set(rule.field, True),), (_set(rule.field, False),), "generated: in-progress flag")


def _catalogue(rule, description):
    """A field whose check is membership of a configured catalogue setting (`checks.not_in`): an
    unknown value fails, each configured value passes."""
    setting = getattr(rule.check, "setting", None)
    if not rule.field or setting is None:
        return None
    from imports import configuration

    configured = configuration.DEFAULTS[setting]
    known = sorted(configured)[:2] if isinstance(configured, list | dict) else []
    if not known:
        return None

    def enable(value):
        def mutate(node, env):
            if rule.error_code == "path_does_not_exist_in_file_store":
                env.catalogue["file_store_validation_enabled"] = True
            node[rule.field] = value

        return mutate

    return Condition(
        (enable("NOT-CONFIGURED"),),
        tuple(enable(value) for value in known),
        f"generated: catalogue {setting}",
    )


TEST_EMAIL = re.compile(
    r'starts with "test@"" or "xxx@"" or ends with "@test.com", "@test.co.uk", ".xxx" or ".xx"'
)


def _test_email(rule, description):
    """Each prefix and ending the description lists fails, in any case; addresses that only contain
    them elsewhere pass."""
    if not TEST_EMAIL.search(description):
        return None
    fires = tuple(
        _set(rule.field, value)
        for value in ("TEST@a.co.uk", "xxx@a.co.uk", "a@test.com", "a@Test.co.uk", "a@b.xxx", "a@b.xx")
    )
    silent = tuple(
        _set(rule.field, value)
        for value in ("tester@jablonski.co.uk", "bob@test.com.au", "bob@xxx.co.uk", "bob@jablonski.xxxy")
    )
    return Condition(fires, silent, "generated: test email")


INTERNAL_EMAIL = re.compile(r"registered <code>(\S+@\S+)</code> as an internal email address")


def _internal_email(rule, description):
    match = INTERNAL_EMAIL.search(rule.spec.get("description") or "")
    if not rule.field or not match:
        return None
    return Condition(
        (_set(rule.field, match.group(1).upper()),),
        (_set(rule.field, "bob@jablonski.co.uk"),),
        "generated: internal email",
    )


UNIQUE_ADDRESS = re.compile(r"This uses the (.+) fields of the address to identify uniqueness")


def _unique_addresses(rule, description):
    """Duplicate supply addresses are judged by exactly the fields the description names: equal on
    all of them fails; different in any one of them passes."""
    if not UNIQUE_ADDRESS.search(description):
        return None
    fields = _marked(rule.spec.get("description") or "")

    def second(differing: str | None):
        def mutate(node, env):
            other = copy.deepcopy(env.root["supply_addresses"][0])
            for point in other["meter_points"]:
                point["identifier"] = P.another_identifier(point["identifier"], "8")
            if differing:
                other[differing] = f"{other.get(differing) or ''} B".strip()
            env.root["supply_addresses"].append(other)

        return mutate

    return Condition((second(None),), tuple(second(field) for field in fields), "generated: unique addresses")


PHONE = re.compile(
    r"phone number conforms to the norms of the region from which the migration is taking place"
)
VALID_PHONES = {
    "GB": ("07123456789", "+44 7123 456789", "02072343456"),
    "JP": ("09012345678", "+819012345678"),
}


def _phone(rule, description):
    """A number of the supplier's region passes, in its usual forms; one that is not fails."""
    if not rule.field or not PHONE.search(description):
        return None
    territory = "JP" if "GB" not in rule.territories else "GB"
    return Condition(
        (_set(rule.field, "12345"), _set(rule.field, "+1 212 555 0100")),
        tuple(_set(rule.field, number) for number in VALID_PHONES[territory]),
        "generated: phone number of the region",
    )


POSTCODE = re.compile(r"Validate the postal code and normalize it to a standard format")


def _postcode(rule, description):
    """A valid postcode passes in any case and spacing (it is normalised); an invalid one fails."""
    if not rule.field or not POSTCODE.search(description):
        return None
    return Condition(
        (_set(rule.field, "NOT A POSTCODE"), _set(rule.field, "W1F 9DEX")),
        tuple(_set(rule.field, value) for value in ("W1F 9DE", "w1f9de", " sw1a 1aa ")),
        "generated: postcode",
    )


MARKET_PARTICIPANT = re.compile(r"market participant ID passed in the payload exists in Kraken")


def _market_participant(rule, description):
    """A configured participant serving the point's fuel passes; an unknown one, or one serving
    only the other fuel, fails (each code its own half)."""
    if not rule.field or not MARKET_PARTICIPANT.search(description):
        return None
    gas = rule.group.startswith("Gas")
    other_fuel_only, own_fuel_only = ("EDFE", "BGS") if gas else ("BGS", "EDFE")
    if rule.error_code == "market_participant_not_found":
        fires = (_set(rule.field, "ZZZZ"),)
    else:
        fires = (_set(rule.field, other_fuel_only),)
    return Condition(
        fires, (_set(rule.field, "TENT"), _set(rule.field, own_fuel_only)), "generated: market participant"
    )


GENERATORS = (
    _phone,
    _postcode,
    _market_participant,
    _period,
    _not_future,
    _not_past,
    _unique_children,
    _stop_flag,
    _catalogue,
    _test_email,
    _internal_email,
    _unique_addresses,
)


def generated(rule: base.Rule) -> Condition | None:
    description = plain(rule.spec.get("description"))
    for generator in GENERATORS:
        condition = generator(rule, description)
        if condition is not None:
            return condition
    return None


def condition(rule: base.Rule) -> Condition:
    """The rule's condition cases: generated where its description allows, else written by hand
    (the firing case then comes from `rule_cases_parts.breaking`)."""
    from tests.imports import rule_conditions_account, rule_conditions_parts

    found = generated(rule)
    if found is not None:
        return dataclasses.replace(found, fires=(*found.fires, rule_cases_parts.breaking(rule)))
    silent = rule_conditions_parts.SILENT.get((rule.group, rule.order))
    if silent is None and rule.field:
        silent = rule_conditions_parts.SILENT_FIELD.get(rule.error_code)
    if silent is None and rule.group in ACCOUNT_GROUPS:
        territory = "GB" if rule.group == "EnergyAccount" else "JP"
        silent = rule_conditions_account.SILENT.get(
            (rule.error_code, territory), rule_conditions_account.SILENT.get(rule.error_code)
        )
    if silent is None:
        raise LookupError(f"No condition case for {rule.group}#{rule.order} {rule.error_code}")
    silent = silent if isinstance(silent, list) and all(callable(m) for m in silent) else [silent]
    silent = tuple(m if callable(m) else _set(rule.field, m) for m in silent)
    also = rule_conditions_parts.ALSO_FIRES.get((rule.group, rule.order))
    return Condition((rule_cases_parts.breaking(rule), *([also] if also else [])), silent, "hand-written")
