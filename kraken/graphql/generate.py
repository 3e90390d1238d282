"""Generate graphene classes for every type of the customer-graph contract SDL.

    .venv/bin/python -m kraken.graphql.generate ../shared/spec/customer-graph.graphql

writes `kraken/graphql/generated.py`: one graphene class per enum, input, interface, union and object
type of the contract, with the same names, nullability, list wrapping, arguments, defaults and
deprecations. The classes hold no logic: every field reads through `binding.default_resolver`
until a hand-written resolver (in an app's `graphql/resolvers.py`) is bound to it by
`kraken.graphql.schema`. Run it again when the contract changes, then `ruff format` the output and
reprint `schema.graphql` (see tests/graphql/test_schema.py).
"""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    build_schema,
)
from graphql.language import ast as gast

OUTPUT = Path(__file__).resolve().parent / "generated.py"

SCALARS = {
    "String": "graphene.String",
    "Int": "graphene.Int",
    "Float": "graphene.Float",
    "Boolean": "graphene.Boolean",
    "ID": "graphene.ID",
    "BigInt": "graphene.BigInt",
    "Date": "graphene.Date",
    "DateTime": "graphene.DateTime",
    "Time": "graphene.Time",
    "Decimal": "graphene.Decimal",
    "JSONString": "graphene.JSONString",
    "GenericScalar": "GenericScalar",
    "NormalizedDecimal": "scalars.NormalizedDecimal",
}

# Python names that cannot be class attributes of a graphene type.
RESERVED = set(keyword.kwlist) | {"Meta"}


def _attr(name: str) -> tuple[str, str]:
    """(python attribute, extra kwargs) for a GraphQL field name."""
    if name in RESERVED:
        return f"{name}_", f", name={name!r}"
    return name, ""


def _type(t, *, lazy: bool = True) -> str:
    if isinstance(t, GraphQLNonNull):
        return f"graphene.NonNull({_type(t.of_type)})"
    if isinstance(t, GraphQLList):
        return f"graphene.List({_type(t.of_type)})"
    if isinstance(t, GraphQLScalarType):
        return SCALARS[t.name]
    return f"lambda: {t.name}" if lazy else t.name


def _named(t):
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _value(node: gast.ValueNode, t) -> str:
    """A python literal for a default value written in the SDL."""
    named = _named(t)
    if isinstance(node, gast.NullValueNode):
        return "None"
    if isinstance(node, gast.ListValueNode):
        inner = t.of_type if isinstance(t, GraphQLNonNull) else t
        inner = inner.of_type if isinstance(inner, GraphQLList) else inner
        return "[" + ", ".join(_value(v, inner) for v in node.values) + "]"
    if isinstance(node, gast.EnumValueNode):
        return f"{named.name}.{_member(node.value)}.value"
    if isinstance(node, gast.BooleanValueNode):
        return repr(node.value)
    if isinstance(node, gast.IntValueNode):
        return node.value
    if isinstance(node, gast.FloatValueNode):
        return node.value
    if isinstance(node, gast.StringValueNode):
        if named.name == "DateTime":
            return f"_datetime({node.value!r})"
        if named.name == "Date":
            return f"datetime.date.fromisoformat({node.value!r})"
        return repr(node.value)
    raise ValueError(f"Unsupported default value {node}")


def _member(name: str) -> str:
    return f"{name}_" if name in RESERVED else name


def _deprecation(obj) -> str:
    reason = getattr(obj, "deprecation_reason", None)
    return f", deprecation_reason={reason!r}" if reason else ""


def _args(field) -> str:
    if not field.args:
        return ""
    parts = []
    for name, arg in field.args.items():
        default = ""
        if arg.ast_node is not None and arg.ast_node.default_value is not None:
            default = f", default_value={_value(arg.ast_node.default_value, arg.type)}"
        parts.append(f"{name!r}: graphene.Argument({_type(arg.type)}{default}{_deprecation(arg)})")
    return ", args={" + ", ".join(parts) + "}"


def _fields(fields) -> list[str]:
    lines = []
    for name, field in fields.items():
        attr, extra = _attr(name)
        lines.append(
            f"    {attr} = graphene.Field({_type(field.type)}{_args(field)}{extra}{_deprecation(field)})"
        )
    return lines or ["    pass"]


def _ordered_interfaces(types: list[GraphQLInterfaceType]) -> list[GraphQLInterfaceType]:
    done: list[GraphQLInterfaceType] = []
    seen: set[str] = set()

    def visit(t):
        if t.name in seen:
            return
        for parent in t.interfaces:
            visit(parent)
        seen.add(t.name)
        done.append(t)

    for t in types:
        visit(t)
    return done


def generate(sdl: str) -> str:
    schema = build_schema(sdl)
    types = [t for name, t in sorted(schema.type_map.items()) if not name.startswith("__")]
    out = [
        '"""GENERATED by kraken/graphql/generate.py from the customer-graph contract. Do not edit."""',
        "",
        "# ruff: noqa: E501, E741",
        "from __future__ import annotations",
        "",
        "import datetime",
        "",
        "import graphene",
        "from graphene.types.generic import GenericScalar",
        "",
        "from kernel.graphql import binding",
        "from kraken.graphql import scalars",
        "",
        "",
        "def _datetime(value: str) -> datetime.datetime:",
        "    return datetime.datetime.fromisoformat(value)",
        "",
    ]
    for t in types:
        if isinstance(t, GraphQLEnumType):
            out += ["", "", f"class {t.name}(graphene.Enum):"]
            for value_name in t.values:
                out.append(f"    {_member(value_name)} = {value_name!r}")
            deprecated = {n: v.deprecation_reason for n, v in t.values.items() if v.deprecation_reason}
            if deprecated:
                out += [
                    "",
                    "    @property",
                    "    def deprecation_reason(self):",
                    f"        return {deprecated!r}.get(self.name)",
                ]
    for t in types:
        if isinstance(t, GraphQLInputObjectType):
            out += ["", "", f"class {t.name}(graphene.InputObjectType):"]
            for name, field in t.fields.items():
                attr, extra = _attr(name)
                default = ""
                if field.ast_node is not None and field.ast_node.default_value is not None:
                    default = f", default_value={_value(field.ast_node.default_value, field.type)}"
                out.append(
                    f"    {attr} = graphene.InputField({_type(field.type)}{default}{extra}{_deprecation(field)})"
                )
            if not t.fields:
                out.append("    pass")
    for t in _ordered_interfaces([t for t in types if isinstance(t, GraphQLInterfaceType)]):
        out += ["", "", f"class {t.name}(graphene.Interface):", "    class Meta:"]
        if t.interfaces:
            out.append(f"        interfaces = ({', '.join(i.name for i in t.interfaces)},)")
        out += [
            "        default_resolver = binding.default_resolver",
            "",
            "    @classmethod",
            "    def resolve_type(cls, instance, info):",
            "        return binding.resolve_type(instance, info)",
            "",
            *_fields(t.fields),
        ]
    for t in types:
        if isinstance(t, GraphQLObjectType):
            out += ["", "", f"class {t.name}(graphene.ObjectType):", "    class Meta:"]
            if t.interfaces:
                out.append(f"        interfaces = ({', '.join(i.name for i in t.interfaces)},)")
            out += ["        default_resolver = binding.default_resolver", "", *_fields(t.fields)]
    for t in types:
        if isinstance(t, GraphQLUnionType):
            out += [
                "",
                "",
                f"class {t.name}(graphene.Union):",
                "    class Meta:",
                f"        types = ({', '.join(m.name for m in t.types)},)",
                "",
                "    @classmethod",
                "    def resolve_type(cls, instance, info):",
                "        return binding.resolve_type(instance, info)",
            ]
    objects = [t.name for t in types if isinstance(t, GraphQLObjectType)]
    out += ["", "", "OBJECT_TYPES = [", *(f"    {name}," for name in objects), "]", ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    OUTPUT.write_text(generate(Path(argv[0]).read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
