"""The view's execution context (kraken.graphql.view.ExecutionContext) on a small schema of its own:
plain fields read without a ResolveInfo, shared object values completed once per request."""

from graphql import (
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)

from kernel.graphql import binding
from kraken.graphql.view import ExecutionContext


def _schema(calls: list):
    def counted(child, info):
        calls.append(info.path.as_list())
        if child.get("fail"):
            raise ValueError("refused")
        return child["name"]

    child = GraphQLObjectType(
        "Child",
        {
            "name": GraphQLField(GraphQLString, resolve=binding.without_info(lambda c, info: c["name"])),
            "counted": GraphQLField(GraphQLString, resolve=counted),
        },
    )
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
