"""The view's execution context (kraken.graphql.view.ExecutionContext) on a small schema of its own:
plain fields read without a ResolveInfo, shared object values completed once per request."""

from graphql import (
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)

from kernel.graphql import binding
from kraken.graphql.view import ExecutionContext


def _counted_type(name: str, key: str, calls: list) -> GraphQLObjectType:
    """An object type with the plain field `key` and `counted`, which records each path it is
    resolved at in `calls` and raises for a value with `fail`."""

    def counted(value, info):
        calls.append(info.path.as_list())
        if value.get("fail"):
            raise ValueError("refused")
        return value[key]

    return GraphQLObjectType(
        name,
        {
            key: GraphQLField(GraphQLString, resolve=binding.without_info(lambda value, info: value[key])),
            "counted": GraphQLField(GraphQLString, resolve=counted),
        },
    )


def _schema(calls: list):
    child = _counted_type("Child", "name", calls)
    item = GraphQLObjectType(
        "Item",
        {
            "id": GraphQLField(
                GraphQLNonNull(GraphQLInt), resolve=binding.without_info(lambda i, info: i["id"])
            ),
            "child": GraphQLField(child, resolve=lambda i, info: i["child"]),
        },
    )
    return item, GraphQLSchema(
        GraphQLObjectType(
            "Query", {"items": GraphQLField(GraphQLList(item), resolve=lambda root, info: root)}
        )
    )


def _run(query: str, items: list, calls: list):
    _, schema = _schema(calls)
    return execute(schema, parse(query), root_value=items, execution_context_class=ExecutionContext)


class TestSharedValues:
    def test_a_value_shared_by_several_parents_is_completed_once(self):
        shared = {"name": "tariff"}
        items = [{"id": i, "child": shared} for i in range(3)]
        calls = []

        result = _run("{ items { id child { name counted } } }", items, calls)

        assert result.errors is None
        assert result.data == {
            "items": [{"id": i, "child": {"name": "tariff", "counted": "tariff"}} for i in range(3)]
        }
        assert calls == [["items", 0, "child", "counted"]]

    def test_types_of_a_subclass_as_graphene_builds_them_are_completed_once_too(self):
        class SubclassedObjectType(GraphQLObjectType):
            pass

        calls = []
        child = SubclassedObjectType(
            "Child", {"counted": GraphQLField(GraphQLString, resolve=lambda c, info: calls.append(c) or "x")}
        )
        shared = {"name": "tariff"}
        item = GraphQLObjectType("Item", {"child": GraphQLField(child, resolve=lambda i, info: shared)})
        schema = GraphQLSchema(
            GraphQLObjectType("Query", {"items": GraphQLField(GraphQLList(item), resolve=lambda r, i: r)})
        )

        result = execute(
            schema,
            parse("{ items { child { counted } } }"),
            root_value=[1, 2, 3],
            execution_context_class=ExecutionContext,
        )

        assert result.data == {"items": [{"child": {"counted": "x"}}] * 3}
        assert len(calls) == 1

    def test_equal_but_distinct_values_are_each_completed(self):
        items = [{"id": i, "child": {"name": "tariff"}} for i in range(3)]
        calls = []

        _run("{ items { child { counted } } }", items, calls)

        assert len(calls) == 3

    def test_a_value_whose_completion_failed_is_completed_again_with_its_own_path(self):
        shared = {"name": "tariff", "fail": True}
        items = [{"id": i, "child": shared} for i in range(2)]
        calls = []

        result = _run("{ items { child { counted } } }", items, calls)

        assert [e.path for e in result.errors] == [
            ["items", 0, "child", "counted"],
            ["items", 1, "child", "counted"],
        ]
        assert result.data == {"items": [{"child": {"counted": None}}, {"child": {"counted": None}}]}


class TestPlainFields:
    def test_aliases_and_typename_answer_as_graphql_core_does(self):
        items = [{"id": 7, "child": {"name": "a"}}]

        result = _run("{ items { key: id __typename child { n: name name __typename } } }", items, [])

        assert result.errors is None
        assert result.data == {
            "items": [
                {"key": 7, "__typename": "Item", "child": {"n": "a", "name": "a", "__typename": "Child"}}
            ]
        }

    def test_a_null_in_a_non_null_plain_field_is_the_usual_error(self):
        items = [{"id": None, "child": None}]

        result = _run("{ items { id } }", items, [])

        assert result.data == {"items": [None]}
        assert [e.path for e in result.errors] == [["items", 0, "id"]]
        assert "Cannot return null for non-nullable field Item.id." in result.errors[0].message


def _context_only_schema(calls: list, tariff_of):
    tariff = _counted_type("Tariff", "code", calls)
    agreement = GraphQLObjectType(
        "Agreement",
        {
            "id": GraphQLField(GraphQLInt, resolve=binding.without_info(lambda a, info: a["id"])),
            "tariff": GraphQLField(GraphQLNonNull(tariff), resolve=binding.context_only(tariff_of)),
        },
    )
    return GraphQLSchema(
        GraphQLObjectType(
            "Query", {"agreements": GraphQLField(GraphQLList(agreement), resolve=lambda root, info: root)}
        )
    )


def _tariff_from_context(agreement, info):
    return info.context["tariffs"][agreement["tariff"]]


def _both(query: str, agreements: list, context: dict, tariff_of=_tariff_from_context):
    """(this executor's result and calls, graphql-core's result) of the same query."""
    calls = []
    ours = execute(
        _context_only_schema(calls, tariff_of),
        parse(query),
        root_value=agreements,
        context_value=context,
        execution_context_class=ExecutionContext,
    )
    theirs = execute(
        _context_only_schema([], tariff_of), parse(query), root_value=agreements, context_value=context
    )
    return ours, calls, theirs


class TestContextOnlyFields:
    def test_a_value_met_again_is_answered_from_its_first_completion(self):
        context = {"tariffs": {1: {"code": "A"}, 2: {"code": "B"}}}
        agreements = [{"id": i, "tariff": 1 + i % 2} for i in range(4)]
        infos = []

        def tariff_of(agreement, info):
            infos.append(info)
            return _tariff_from_context(agreement, info)

        ours, calls, theirs = _both(
            "{ agreements { id tariff { code counted } } }", agreements, context, tariff_of=tariff_of
        )

        assert ours.errors is None
        assert ours.data == theirs.data
        assert calls == [["agreements", 0, "tariff", "counted"], ["agreements", 1, "tariff", "counted"]]
        # A full ResolveInfo (with its path) only for the values not completed yet: ours for the
        # first two agreements, then graphql-core's four.
        paths = [info.path.as_list() for info in infos if isinstance(info, GraphQLResolveInfo)]
        assert paths[:2] == [["agreements", 0, "tariff"], ["agreements", 1, "tariff"]]
        assert len(paths) == 2 + 4

    def test_a_value_whose_completion_failed_fails_again_with_its_own_path(self):
        context = {"tariffs": {1: {"code": "A", "fail": True}}}
        agreements = [{"id": i, "tariff": 1} for i in range(2)]

        ours, _, theirs = _both("{ agreements { tariff { counted } } }", agreements, context)

        assert ours.data == theirs.data
        assert (
            [e.path for e in ours.errors]
            == [e.path for e in theirs.errors]
            == [
                ["agreements", 0, "tariff", "counted"],
                ["agreements", 1, "tariff", "counted"],
            ]
        )

    def test_a_null_is_the_usual_non_null_error(self):
        context = {"tariffs": {}}
        agreements = [{"id": 1, "tariff": 1}, {"id": 2, "tariff": 1}]

        ours, _, theirs = _both("{ agreements { id tariff { code } } }", agreements, {**context})
        ours_missing, _, theirs_missing = _both(
            "{ agreements { id tariff { code } } }",
            agreements,
            context,
            tariff_of=lambda a, info: info.context["tariffs"].get(a["tariff"]),
        )

        assert ours.data == theirs.data == {"agreements": [None, None]}
        assert [e.path for e in ours.errors] == [e.path for e in theirs.errors]
        assert ours_missing.data == theirs_missing.data == {"agreements": [None, None]}
        assert [e.message for e in ours_missing.errors] == [e.message for e in theirs_missing.errors]

    def test_a_resolver_reading_more_than_the_context_still_answers(self):
        shared = {"code": "A"}
        agreements = [{"id": i, "tariff": 1} for i in range(3)]

        ours, calls, theirs = _both(
            "{ agreements { tariff { code counted } } }",
            agreements,
            {},
            tariff_of=lambda a, info: shared if info.field_name == "tariff" else None,
        )

        assert ours.errors is None
        assert ours.data == theirs.data
        assert len(calls) == 1
