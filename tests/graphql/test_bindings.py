"""The hand-written GraphQL code against the generated contract types.

A resolver is a `resolve_<field>` function of a class named after a contract type (bound at
start-up by `kernel.graphql.binding.bind`); a view is a dict value of a contract type, built with
`gql.view("TypeName", field=value, ...)` and read by the default resolver. A misspelled resolver,
argument or view key would otherwise be a field that is silently null, so:

- binding refuses a resolver naming a type or field the contract does not have, and these tests
  check that each resolver takes exactly the arguments its field has;
- every `gql.view(...)` call in the source, and every call of a helper that passes its type name
  on to `gql.view`, is checked here against the contract without running it
  (tests/graphql/views_in_source.py), and a dict literal keyed by strings in a resolver module (a
  view that bypasses `gql.view`) is refused;
- the whole test suite runs with `GRAPHQL_CHECK_VIEWS`, so every view built at run time (with
  keys passed on from helpers too) is checked as it is built, and a view answered where another
  type is expected fails the request;
- a scalar resolver that never reads `info` is marked `binding.without_info` (the executor's
  fast path), and a marked one really never reads it.
"""

from __future__ import annotations

import dis
import inspect
import types
from pathlib import Path

import graphene
import pytest
from graphql import get_nullable_type, is_leaf_type, is_non_null_type
from graphql.pyutils import Undefined

from accounts.graphql import dataloaders as accounts_loaders
from billing.graphql import dataloaders as billing_loaders
from devices.graphql import dataloaders as devices_loaders
from kernel import graphql as gql
from kernel.graphql import binding
from kraken.graphql import schema
from kraken.graphql.generated import types as generated
from metering.graphql import dataloaders as metering_loaders
from tests.graphql import views_in_source

SOURCE_MODULES = [
    *schema.RESOLVER_MODULES,
    accounts_loaders,
    metering_loaders,
    devices_loaders,
    billing_loaders,
]
RESOLVERS = binding.resolvers(generated=generated, resolver_modules=schema.RESOLVER_MODULES)


def _field(type_name: str, field: str):
    return schema.schema.graphql_schema.type_map[type_name].fields[field]


def _object_fields(type_name: str) -> set[str] | None:
    target = getattr(generated, type_name, None)
    if not (inspect.isclass(target) and issubclass(target, graphene.ObjectType)):
        return None
    return set(target._meta.fields)


def view_problems(sources: dict[str, str]) -> list[str]:
    return views_in_source.problems(sources, _object_fields)


def _reads_info(function) -> bool:
    return any(
        instruction.argval == "info" and instruction.opname.startswith("LOAD")
        for instruction in dis.get_instructions(function)
    )


def _is_plain_leaf(type_name: str, field: str) -> bool:
    """A scalar or enum field without arguments: the executor's fast path applies to it."""
    definition = _field(type_name, field)
    return is_leaf_type(get_nullable_type(definition.type)) and not definition.args


class TestResolvers:
    def test_all_name_a_field_of_the_contract(self):
        found = binding.resolvers(generated=generated, resolver_modules=schema.RESOLVER_MODULES)

        assert len(found) > 300

    def test_a_misspelled_field_fails_binding(self):
        module = types.ModuleType("typo_resolvers")
        exec(
            "class AccountType:\n    resolve_nubmer = staticmethod(lambda a, info: a.number)\n", vars(module)
        )

        with pytest.raises(binding.BindingError, match="no field nubmer"):
            binding.resolvers(generated=generated, resolver_modules=[module])

    def test_a_misspelled_type_fails_binding(self):
        module = types.ModuleType("typo_resolvers")
        exec("class AcountType:\n    resolve_number = staticmethod(lambda a, info: a.number)\n", vars(module))

        with pytest.raises(binding.BindingError, match="no such object type"):
            binding.resolvers(generated=generated, resolver_modules=[module])

    def test_take_exactly_the_arguments_of_their_field(self):
        problems = [
            f"{type_name}.{field}: {problem}"
            for (type_name, field), function in sorted(RESOLVERS.items())
            for problem in _argument_problems(type_name, field, function)
        ]

        assert problems == []


def _argument_problems(type_name: str, field: str, function) -> list[str]:
    """Parameters the field has no argument for, arguments the resolver does not take, and
    parameters without a default for an argument the client may leave out (graphene passes an
    argument only when it is sent or the contract gives it a default)."""
    arguments = _field(type_name, field).args
    parameters = list(inspect.signature(function).parameters.values())[2:]
    named = {p.name: p for p in parameters if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    takes_any = any(p.kind == p.VAR_KEYWORD for p in parameters)
    problems = [f"no argument {name}" for name in sorted(set(named) - set(arguments))]
    if not takes_any:
        problems += [f"does not take {name}" for name in sorted(set(arguments) - set(named))]
    problems += [
        f"requires {name}, which may be left out"
        for name, p in sorted(named.items())
        if name in arguments
        and p.default is p.empty
        and not is_non_null_type(arguments[name].type)
        and arguments[name].default_value is Undefined
    ]
    return problems


class TestWithoutInfo:
    def test_marks_exactly_the_scalar_resolvers_that_never_read_info(self):
        wrongly_marked, unmarked = [], []
        for (type_name, field), function in sorted(RESOLVERS.items()):
            marked = getattr(function, binding.WITHOUT_INFO, False)
            plain_leaf = _is_plain_leaf(type_name, field)
            if marked and (not plain_leaf or _reads_info(function)):
                wrongly_marked.append(f"{type_name}.{field}")
            if plain_leaf and not marked and not _reads_info(function):
                unmarked.append(f"{type_name}.{field}")

        assert wrongly_marked == [], (
            "marked without_info, but not a scalar field without arguments or reads info"
        )
        assert unmarked == [], "never reads info: mark it binding.without_info (gql.plain)"

    def test_marks_a_staticmethod_as_bind_unwraps_it(self):
        under = staticmethod(binding.without_info(lambda root, info: root))
        around = binding.without_info(staticmethod(lambda root, info: root))

        assert getattr(under.__func__, binding.WITHOUT_INFO)
        assert getattr(around.__func__, binding.WITHOUT_INFO)


class TestViews:
    def test_name_fields_of_their_contract_type(self):
        sources = {m.__name__: Path(m.__file__).read_text(encoding="utf-8") for m in SOURCE_MODULES}

        problems = view_problems(sources)

        assert problems == []

    def test_a_misspelled_key_is_found_in_the_source(self):
        source = "def resolve(root, info):\n    return gql.view('KrakenVersionType', nubmer='1.0')\n"

        problems = view_problems({"typo": source})

        assert problems == ["typo:2: gql.view of KrakenVersionType: no field nubmer"]

    def test_a_misspelled_type_is_found_in_the_source(self):
        source = "def resolve(root, info):\n    return gql.view('KrakenVersionTyp', number='1.0')\n"

        problems = view_problems({"typo": source})

        assert problems == ["typo:2: gql.view of KrakenVersionTyp: no such object type in the contract"]

    def test_a_misspelled_key_passed_through_builders_is_found_in_the_source(self):
        source = (
            "def _tariff(type_name, tariff, **rates):\n"
            "    return gql.view(type_name, tariffCode=tariff.code, **rates)\n"
            "def _day_night(type_name, tariff, **more):\n"
            "    return _tariff(type_name, tariff, dayRate=1.0, nigthRate=0.5, **more)\n"
            "def tariff_view(tariff, three):\n"
            "    if three:\n"
            "        return _day_night('ThreeRateTariff', tariff, offPeakRate=0.2)\n"
            "    return _day_night('DayNightTariff', tariff)\n"
        )

        problems = view_problems({"typo": source})

        assert problems == [
            "typo:4: _tariff of DayNightTariff: no field nigthRate",
            "typo:4: _tariff of ThreeRateTariff: no field nigthRate",
        ]

    def test_a_view_of_unknown_type_is_found_in_the_source(self):
        source = "def resolve(root, info):\n    return gql.view(root.type_name, number='1.0')\n"

        problems = view_problems({"typo": source})

        assert problems == ["typo:2: gql.view: the type of this view cannot be told from the source"]

    def test_a_dict_built_by_hand_is_found_in_the_source(self):
        source = "def resolve(root, info):\n    return {'number': '1.0'}\n"

        problems = view_problems({"typo": source})

        assert problems == ["typo:2: a dict view not built with gql.view"]

    def test_are_checked_in_tests(self):
        assert binding.checking_views()

    def test_a_misspelled_key_fails_as_the_view_is_built(self):
        with pytest.raises(binding.BindingError, match="no field nubmer"):
            gql.view("KrakenVersionType", **{"nubmer": "1.0"})

    def test_a_view_of_an_interface_fails_as_it_is_built(self):
        with pytest.raises(binding.BindingError, match="no such object type"):
            gql.view("TariffType", tariffCode="E-1R")

    def test_record_their_type(self):
        view = gql.view("KrakenVersionType", number="1.0")

        assert view == {"number": "1.0", "__typename": "KrakenVersionType"}

    def test_a_view_of_another_type_fails_the_request(self, gql, monkeypatch):
        field = schema.schema.graphql_schema.query_type.fields["krakenVersion"]
        monkeypatch.setattr(
            field, "resolve", lambda root, info: binding.view("QueryComplexityOutputType", complexityValue=1)
        )

        status, body = gql("{ krakenVersion { number } }")

        assert status == 200
        assert body["data"] == {"krakenVersion": None}
        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1101"


def _reads_only_the_context(function) -> bool:
    """Every load of `info` in `function` is `info.context` or the one argument of a call to
    `context(...)` (`gql.context(info)`)."""
    instructions = list(dis.get_instructions(function))
    for i, instruction in enumerate(instructions):
        if instruction.argval != "info" or not instruction.opname.startswith("LOAD"):
            continue
        after = instructions[i + 1] if i + 1 < len(instructions) else None
        before = instructions[i - 1] if i else None
        if after is not None and after.opname in ("LOAD_ATTR", "LOAD_METHOD") and after.argval == "context":
            continue
        if (
            before is not None
            and before.argval == "context"
            and after is not None
            and after.opname in ("PRECALL", "CALL")
            and after.arg == 1
        ):
            continue
        return False
    return True


class TestContextOnly:
    def test_marks_only_resolvers_that_read_no_more_of_info_than_the_context(self):
        marked = {
            f"{type_name}.{field}": function
            for (type_name, field), function in sorted(RESOLVERS.items())
            if getattr(function, binding.CONTEXT_ONLY, False)
        }

        wrongly_marked = [name for name, function in marked.items() if not _reads_only_the_context(function)]

        assert "ElectricityAgreementType.tariff" in marked
        assert wrongly_marked == []

    def test_the_check_finds_a_resolver_reading_more(self):
        def reads_path(root, info):
            return info.path

        def reads_context(root, info):
            return gql.context(info).now, info.context

        assert not _reads_only_the_context(reads_path)
        assert _reads_only_the_context(reads_context)
