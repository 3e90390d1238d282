"""The rule machinery: a `Rule` is one documented validator (one error code) of one schema group; a
`Registry` holds them in documented order and runs every one that applies, collecting all failures.

Rules are declared in the modules of this package (`account/`, `parts/`, `requests.py`). Names and
descriptions come from `imports/schema/validators.json` (the contract, `spec/import-validators.json`)
so the error text and the OpenAPI `x-validators` stay word for word with the documentation; the
condition, order, group and code are declared in Python and a test asserts the two agree 1:1.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from imports import catalogue as catalogue_module

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
CONTRACT = json.loads((SCHEMA_DIR / "contract.json").read_text())
VALIDATORS = json.loads((SCHEMA_DIR / "validators.json").read_text())
SPEC_RULES = {
    (group["schema"], rule["order"]): rule for group in VALIDATORS["groups"] for rule in group["rules"]
}
NON_FIELD_ERRORS = "non_field_errors"
# The one discriminator that is a setting of the import supplier rather than a field of the node.
SUPPLIER_DISCRIMINATOR = "enforce_business_contracts_exist"

# Documents a rule set can validate, and the JSON schema each one uses.
ACCOUNT = "account"
PROCESS = "process"
TASK_PARAMS = "task_params"
HISTORICAL_STATEMENTS = "historical_statements"
TRANSACTIONS = "transactions"
NOTES = "notes"
PAYMENT_INSTRUCTION = "payment_instruction"

GB = "GB"
JP = "JP"
ALL_TERRITORIES = ("GB", "JP", "AU")


@dataclasses.dataclass(frozen=True)
class SupplierConfig:
    """What the rules need to know about the import supplier (a plain value, no ORM)."""

    code: str
    territory: str = GB
    migration_status: str = "ONGOING"
    skip_property_creation: bool = False
    skip_supply_point_creation: bool = False
    enforce_business_contracts_exist: bool = False
    send_registration_flows: bool = False
    operations_team_name: str = ""
    link_account_to_business_with_contract: bool = False
    create_new_portfolios: bool = False

    @property
    def auto_allocates_operations_team(self) -> bool:
        return bool(self.operations_team_name)


@dataclasses.dataclass
class RuleContext:
    supplier: SupplierConfig
    now: datetime
    catalogue: catalogue_module.Catalogue
    variant: str = "v1"
    root: Any = None
    # What the operation resolved before validating a post-import request: process/account found,
    # statement and transaction ids already on the account.
    lookup: dict = dataclasses.field(default_factory=dict)
    # Per-run memo for derived values several rules share (e.g. all agreements of the payload).
    memo: dict = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def today(self) -> date:
        """`now`'s date (read by dozens of rules per document, so worked out once)."""
        return self.now.date()


@dataclasses.dataclass(frozen=True)
class Failure:
    attr: str
    code: str
    detail: str
    group: str
    order: int


@dataclasses.dataclass(frozen=True)
class Rule:
    group: str
    order: int
    error_code: str | None
    check: Callable
    locations: dict[str, tuple[str, ...]]  # document -> node patterns
    field: str | None
    territories: tuple[str, ...]
    variants: tuple[str, ...] = ("v1", "v2")
    discriminator: tuple[str, Any] | None = None
    # For electricity/gas parts below a meter point (meters, agreements, registers): the supply
    # type the enclosing meter point must have.
    parent_supply_type: str | None = None
    # A project rule (not in the contract) carries its own name and description.
    project_spec: dict | None = None

    @property
    def spec(self) -> dict:
        return self.project_spec or SPEC_RULES.get((self.group, self.order), {})

    @property
    def is_documented(self) -> bool:
        """A rule of the contract (`import-validators.json`), not one the project adds."""
        return self.project_spec is None

    @property
    def name(self) -> str:
        return self.spec.get("name", "")

    @property
    def description(self) -> str:
        return self.spec.get("description", "")

    @property
    def is_normaliser(self) -> bool:
        return self.error_code is None

    @functools.cached_property
    def detail(self) -> str:
        return _plain(self.spec.get("description") or self.name or str(self.error_code))

    @property
    def level(self) -> str:
        return "field" if self.field else "object"

    def applies_to(self, *, document: str, territory: str, variant: str) -> bool:
        return document in self.locations and territory in self.territories and variant in self.variants


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>|[\u2068\u2069]", "", text or "").strip()


# --- locating nodes --------------------------------------------------------------------------


def attr_of(path: tuple) -> str:
    return ".".join(str(part) for part in path)


_MALFORMED = (TypeError, AttributeError, ValueError, KeyError, ArithmeticError)


class Target(NamedTuple):
    """Where a group's rules look: node patterns, the discriminator a node must match, and the
    supply type the enclosing meter point must have."""

    locations: tuple[str, ...]
    discriminator: tuple[str, Any] | None
    parent_supply_type: str | None


@dataclasses.dataclass
class Step:
    """One group's consecutive rules of a plan, sharing one target."""

    group: str
    target: int  # the target's number within its plan: steps sharing a target share their nodes
    rules: list[Rule]


class Plan:
    """A registry plan compiled for running: its steps, their distinct targets, and the tree of node
    patterns the targets use (each pattern after its parent; number 0 is the document root).

    Rules change field values only, never the shape of a payload nor a discriminating field, so a
    run finds every pattern's nodes once, up front, and each target's nodes when first needed."""

    def __init__(self, rules: list[Rule], document: str) -> None:
        self.steps: list[Step] = []
        self.targets: list[tuple[tuple[int, ...], tuple[str, Any] | None, str | None]] = []
        self.patterns: list[tuple[int, str, bool]] = [(0, "", False)]  # (parent, key, is_list)
        pattern_numbers = {"": 0}
        target_numbers: dict[Target, int] = {}

        def number(pattern: str) -> int:
            if pattern not in pattern_numbers:
                parent, _, last = pattern.rpartition(".")
                above = number(parent)
                pattern_numbers[pattern] = len(self.patterns)
                self.patterns.append((above, last.removesuffix("[]"), last.endswith("[]")))
            return pattern_numbers[pattern]

        for rule in rules:
            target = Target(rule.locations[document], rule.discriminator, rule.parent_supply_type)
            if target not in target_numbers:
                target_numbers[target] = len(self.targets)
                patterns = tuple(number(location) for location in target.locations)
                self.targets.append((patterns, target.discriminator, target.parent_supply_type))
            step = self.steps[-1] if self.steps else None
            if step and step.group == rule.group and step.target == target_numbers[target]:
                step.rules.append(rule)
            else:
                self.steps.append(Step(rule.group, target_numbers[target], [rule]))
        # Each pattern with children, in pattern order (a parent before its children), and per
        # child: (number, key, is a list, is the meter point list a fuel is read from).
        children: dict[int, list[tuple[int, str, bool, bool]]] = {}
        for number, (parent, key, is_list) in enumerate(self.patterns[1:], start=1):
            children.setdefault(parent, []).append((number, key, is_list, is_list and key == "meter_points"))
        self.children = sorted((parent, tuple(kids)) for parent, kids in children.items())
        # What `Registry.run` walks per document, resolved once: consecutive steps of one target as
        # one run, with the target, the pattern whose nodes are the target's own (one pattern, no
        # discriminator or fuel), else -1, and per rule (field, error code, rule). The check is read
        # from the rule as it runs (a test swaps it).
        runs: list[tuple[int, int, list[tuple[str | None, str | None, Rule]]]] = []
        for step in self.steps:
            rules_ = [(rule.field, rule.error_code, rule) for rule in step.rules]
            if runs and runs[-1][0] == step.target:
                runs[-1][2].extend(rules_)
                continue
            patterns, discriminator, fuel = self.targets[step.target]
            own = patterns[0] if len(patterns) == 1 and discriminator is None and not fuel else -1
            runs.append((step.target, own, rules_))
        self.runs: tuple[tuple[int, int, tuple[tuple[str | None, str | None, Rule], ...]], ...] = tuple(
            (target, own, tuple(rules_)) for target, own, rules_ in runs
        )

    def locate(self, root: Any) -> list[list[tuple[tuple, dict, dict | None]]]:
        """(path, node, enclosing meter point) of each dict node of `root`, by pattern number; a
        pattern below an absent part is empty, and only the patterns below a found one are looked
        for. Rules read dict nodes only (a node of another type is the schema check's failure)."""
        located: list[list[tuple[tuple, dict, dict | None]]] = [_NOTHING] * len(self.patterns)
        located[0] = [((), root, None)] if isinstance(root, dict) else _NOTHING
        for parent, children in self.children:
            above = located[parent]
            if not above:
                continue
            for number, key, is_list, is_point in children:
                following: list[tuple[tuple, dict, dict | None]] = []
                for path, node, point in above:
                    value = node.get(key)
                    if value is None:
                        continue
                    if not is_list:
                        if value.__class__ is dict or isinstance(value, dict):
                            following.append(((*path, key), value, point))
                    elif value.__class__ is list or isinstance(value, list):
                        for index, item in enumerate(value):
                            if item.__class__ is dict or isinstance(item, dict):
                                following.append(
                                    ((*path, key, index), item, item if is_point and point is None else point)
                                )
                if following:
                    located[number] = following
        return located

    def matching(
        self, target: int, located: list[list[tuple[tuple, dict, dict | None]]], ctx: RuleContext
    ) -> list[tuple[tuple, dict, dict | None]]:
        """The nodes of a target's patterns (in pattern order) its discriminator and fuel admit (the
        supply type of the meter point a node is below)."""
        patterns, discriminator, fuel = self.targets[target]
        if len(patterns) == 1:
            nodes = located[patterns[0]]
        else:
            nodes = []
            for pattern in patterns:
                nodes += located[pattern]
        if nodes and discriminator is not None:
            prop, value = discriminator
            if prop == SUPPLIER_DISCRIMINATOR:
                if ctx.supplier.enforce_business_contracts_exist is not value:
                    return _NOTHING
            else:
                nodes = [entry for entry in nodes if entry[1].get(prop) == value]
        if nodes and fuel:
            nodes = [entry for entry in nodes if entry[2] is not None and entry[2].get("supply_type") == fuel]
        return nodes


_NOTHING: list = []  # an empty pattern's nodes: shared, never appended to


# --- the registry ----------------------------------------------------------------------------


class Registry:
    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self._plans: dict[tuple[str, str, str], list[Rule]] = {}
        self._compiled: dict[tuple[str, str, str], Plan] = {}

    def group(
        self,
        schema: str,
        *,
        document: str | tuple[str, ...] = ACCOUNT,
        territories: tuple[str, ...] = ALL_TERRITORIES,
        locations: tuple[str, ...] | None = None,
        variants: tuple[str, ...] = ("v1", "v2"),
    ) -> GroupBuilder:
        return GroupBuilder(
            self, schema, document=document, territories=territories, locations=locations, variants=variants
        )

    def add(self, rule: Rule) -> None:
        self.rules.append(rule)
        self._plans.clear()
        self._compiled.clear()

    def plan(self, *, document: str, territory: str, variant: str) -> list[Rule]:
        """Rules for one document in run order: property-level groups before the enclosing object's
        group, deeper schemas before shallower ones, each group in documented order."""
        key = (document, territory, variant)
        if key not in self._plans:
            chosen = [
                rule
                for rule in self.rules
                if rule.applies_to(document=document, territory=territory, variant=variant)
            ]
            depth = {
                rule.group: min(loc.count(".") + loc.count("[]") for loc in rule.locations[document])
                for rule in chosen
            }
            chosen.sort(key=lambda rule: (-depth[rule.group], rule.field is None, rule.group, rule.order))
            self._plans[key] = chosen
        return self._plans[key]

    def compiled(self, *, document: str, territory: str, variant: str) -> Plan:
        key = (document, territory, variant)
        if key not in self._compiled:
            plan = self.plan(document=document, territory=territory, variant=variant)
            self._compiled[key] = Plan(plan, document)
        return self._compiled[key]

    def run(self, data: Any, *, document: str, ctx: RuleContext) -> list[Failure]:
        """Run every applicable rule over `data` (normalisers may change it in place) and return all
        failures in run order, without duplicates of one (attr, code). A group's nodes are found once
        and shared by its rules; a group whose schema part the payload lacks is skipped whole."""
        ctx.root = data
        failures: list[Failure] = []
        seen: set[tuple[str, str]] = set()
        plan = self.compiled(document=document, territory=ctx.supplier.territory, variant=ctx.variant)
        located = plan.locate(data)
        matching: list[list[tuple[tuple, dict, dict | None]] | None] = [None] * len(plan.targets)
        for target, own, step_rules in plan.runs:
            if own >= 0:
                nodes = located[own]
            else:
                nodes = matching[target]
                if nodes is None:
                    nodes = matching[target] = plan.matching(target, located, ctx)
            if not nodes:
                continue
            for field, code, rule in step_rules:
                check = rule.check
                if field is None:
                    for path, node, _ in nodes:
                        try:
                            failed = check(node, ctx)
                        except _MALFORMED:
                            # Malformed input the schema check reports already; a rule never crashes a request.
                            continue
                        if failed and code is not None:
                            _fail(failures, seen, path, field, code, rule)
                else:
                    for path, node, _ in nodes:
                        value = node.get(field)
                        if value is None:
                            continue
                        try:
                            failed = check(value, ctx, node)
                        except _MALFORMED:
                            continue
                        if failed and code is not None:
                            _fail(failures, seen, path, field, code, rule)
        return failures

    def x_validators(self, *, document: str, territory: str = GB, variant: str = "v1") -> list[dict]:
        """The `x-validators` list for an operation, in documented form, grouped by schema."""
        groups: dict[str, dict[str, dict]] = {}
        for rule in self.plan(document=document, territory=territory, variant=variant):
            schema = f"{rule.group}" if rule.field is None or rule.group.endswith(rule.field) else rule.group
            validators = groups.setdefault(schema, {})
            entry = validators.setdefault(
                f"{rule.spec.get('validator', rule.order)}",
                {
                    "schema": schema,
                    "order": rule.order,
                    "name": _plain(rule.name),
                    "description": _plain(rule.description),
                    "possible_errors": [],
                },
            )
            if rule.error_code and rule.error_code not in entry["possible_errors"]:
                entry["possible_errors"].append(rule.error_code)
        return [entry for validators in groups.values() for entry in validators.values()]


def _fail(
    failures: list[Failure], seen: set[tuple[str, str]], path: tuple, field: str | None, code: str, rule: Rule
) -> None:
    """Add a rule's failure at its node, unless one of the same (attr, code) is there already."""
    attr = attr_of((*path, field or NON_FIELD_ERRORS)) if (path or field) else NON_FIELD_ERRORS
    if (attr, code) not in seen:
        seen.add((attr, code))
        failures.append(Failure(attr, code, rule.detail, rule.group, rule.order))


class GroupBuilder:
    def __init__(self, registry, schema, *, document, territories, locations, variants):
        self.registry = registry
        self.schema = schema
        self.territories = territories
        self.variants = variants
        base, _, field = schema.partition(".")
        self.field = field or None
        documents = (document,) if isinstance(document, str) else document
        if locations is not None:
            self.locations = {doc: tuple(locations) for doc in documents}
        else:
            self.locations = {
                doc: tuple(CONTRACT["locations"][doc][base])
                for doc in documents
                if base in CONTRACT["locations"][doc]
            }
            if not self.locations:
                raise LookupError(f"{base} does not occur in the {documents} documents")
        discriminator = CONTRACT["discriminators"].get(base)
        self.discriminator = tuple(discriminator) if discriminator else None
        below_meter_point = any(
            ".meter_points[]." in f"{loc}." and not loc.endswith("meter_points[]")
            for locs in self.locations.values()
            for loc in locs
        )
        self.parent_supply_type = None
        if below_meter_point and base.startswith("Electricity"):
            self.parent_supply_type = "ELECTRICITY"
        elif below_meter_point and base.startswith("Gas"):
            self.parent_supply_type = "GAS"

    def rule(
        self,
        order: int,
        error_code: str | None,
        check: Callable,
        *,
        field: str | None = None,
        project_spec: dict | None = None,
    ) -> Rule:
        rule = Rule(
            group=self.schema,
            order=order,
            error_code=error_code,
            check=check,
            locations=self.locations,
            field=field or self.field,
            territories=self.territories,
            variants=self.variants,
            discriminator=self.discriminator,
            parent_supply_type=self.parent_supply_type,
            project_spec=project_spec,
        )
        self.registry.add(rule)
        return rule

    def rules(self, *specs: tuple) -> GroupBuilder:
        """Declare consecutive rules: each spec is (error_code, check), order = position from 1."""
        for order, (error_code, check) in enumerate(specs, start=1):
            self.rule(order, error_code, check)
        return self


# --- value helpers shared by the rule modules ------------------------------------------------


# Parsed values by their text: a payload repeats its dates and amounts, and a chunk's payloads one
# another's, while each rule parses what it reads again. Values are immutable, so sharing them is
# safe; the memos are emptied when full, so hostile input cannot grow them.
MEMO_SIZE = 4096
_dates: dict[str, date | None] = {}
_instants: dict[str, datetime | None] = {}
_decimals: dict[str, Decimal | None] = {}


def remember(memo: dict, text: str, value):
    """`value` kept in `memo` (one of the memos by text above, or a rule module's own) under
    `text`, the memo emptied first when full; returns `value`."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[text] = value
    return value


def as_date(value: Any) -> date | None:
    if value.__class__ is not str:
        if not value or not isinstance(value, str):
            return None
    elif not value:
        return None
    try:
        return _dates[value]
    except KeyError:
        pass
    try:
        parsed = date.fromisoformat(value[:10])
    except ValueError:
        parsed = None
    return remember(_dates, value, parsed)


def as_datetime(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return _instants[value]
    except KeyError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    return remember(_instants, value, parsed)


def as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if value.__class__ is not str:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    try:
        return _decimals[value]
    except KeyError:
        pass
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        parsed = None
    return remember(_decimals, value, parsed)


def items(node: Any, key: str) -> list:
    if node.__class__ is not dict and not isinstance(node, dict):
        return []
    value = node.get(key)
    return value if value.__class__ is list or isinstance(value, list) else []


def present(node: dict, key: str) -> bool:
    value = node.get(key)
    return value not in (None, "", [], {})


def counts(values) -> dict:
    """How many times each value occurs, in order of first occurrence (`collections.Counter`'s
    counts, without its cost per call)."""
    found: dict = {}
    get = found.get
    for value in values:
        found[value] = get(value, 0) + 1
    return found


def duplicates(values) -> bool:
    seen = set()
    for value in values:
        if value in seen:
            return True
        seen.add(value)
    return False
