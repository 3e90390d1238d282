"""How the generated graphene classes meet the hand-written resolvers.

- `default_resolver` reads a field by its exact GraphQL name from a dict or an attribute. Resolvers
  that build plain values return dicts keyed by GraphQL field names; model instances are read only
  through hand-written `resolve_*` functions, so a model attribute never leaks into a field by
  accident (a field nobody resolves is null).
- `view("TypeName", field=value, ...)` builds such a dict. It records the type in `__typename`
  (which `resolve_type` reads for interfaces and unions). With `check_views` on (tests,
  development) it refuses a type the contract does not have or a key that is not one of its
  fields, and the executor refuses a view answered where another type is expected
  (`check_answer`): a misspelled key would otherwise be a field that is silently null.
  tests/graphql/test_bindings.py also checks every `view(...)` call of the source against the
  contract without running it.
- `bind` copies the `resolve_<field>` functions of the classes in the apps' `graphql/types.py`,
  `queries.py` and `mutations.py` onto the generated class of the same name, and fails loudly for
  a typo (no such type or field) before it changes anything.
- `without_info` marks a resolver that never reads `info`, so the executor may take a fast path;
  `plain(function)` is `staticmethod(without_info(function))`, the usual one-line leaf resolver.
- `context_only` marks a resolver that reads nothing of `info` but the request context
  (`gql.context(info)`) and returns the same value each time for the same root in one request, so
  the executor may call it without building a ResolveInfo and reuse the answer of an object value
  it has already completed at the same place of the query.
- `resolve_type` picks the concrete object type of an interface or union value: a dict's
  `__typename`, an object's `graphql_type`, or a function registered for the model class.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import ModuleType

import graphene
from graphql import is_non_null_type

_MISSING = object()

# Marks a resolver that reads only `info.context` (through `gql.context(info)`): the executor may
# call it with a stand-in carrying only the context (see `context_only`).
CONTEXT_ONLY = "resolves_with_context_only"

# Marks a resolver that never reads `info`, so the executor may call it with `info=None` and skip
# building a ResolveInfo (most leaves of a large answer are such fields).
WITHOUT_INFO = "resolves_without_info"

# model class -> function(instance) -> GraphQL object type name
TYPE_RESOLVERS: dict[type, Callable[[object], str]] = {}
_generated: ModuleType | None = None
_check_views = False


def without_info(function):
    """Declare that a `resolve_*(root, info)` resolver ignores `info` (see `WITHOUT_INFO`). Apply it
    under `@staticmethod` or around the plain function."""
    target = function.__func__ if isinstance(function, staticmethod) else function
    setattr(target, WITHOUT_INFO, True)
    return function


def context_only(function):
    """Declare that a `resolve_*(root, info)` resolver reads nothing of `info` but `info.context`
    (through `gql.context(info)`) and answers the same value for the same root within a request
    (see `CONTEXT_ONLY`). Apply it under `@staticmethod` or around the plain function."""
    target = function.__func__ if isinstance(function, staticmethod) else function
    setattr(target, CONTEXT_ONLY, True)
    return function


def plain(function: Callable) -> staticmethod:
    """A one-line resolver of a class body that never reads `info`:
    `resolve_number = gql.plain(lambda account, info: account.number)`."""
    return staticmethod(without_info(function))


def enum_name(value):
    """An enum argument's name, whether graphene passes the member or its value (None stays None)."""
    return getattr(value, "name", value)


class BindingError(Exception):
    """A resolver or a view names a type or field that the generated schema does not have."""


def default_resolver(attname, default_value, root, info, **args):
    if root is None:
        return None
    if isinstance(root, dict):
        return root.get(info.field_name, default_value)
    value = getattr(root, f"gql_{info.field_name}", _MISSING)
    return default_value if value is _MISSING else value


def view(type_name: str, /, **fields) -> dict:
    """A plain value of the contract's object type `type_name`, keyed by its GraphQL field names.

    Raises BindingError, when views are checked, for a type that is not an object type of the
    contract or a key that is not one of its fields.
    """
    if _check_views:
        check_view(type_name, fields)
    fields["__typename"] = type_name
    return fields


def check_view(type_name: str, fields) -> None:
    """Raises BindingError unless `type_name` is an object type of the bound contract and every
    key of `fields` (but `__typename`) is one of its fields."""
    target = getattr(_generated, type_name, None) if _generated is not None else None
    if not (inspect.isclass(target) and issubclass(target, graphene.ObjectType)):
        raise BindingError(f"view of {type_name}: no such object type in the contract")
    unknown = sorted(set(fields) - set(target._meta.fields) - {"__typename"})
    if unknown:
        raise BindingError(f"view of {type_name}: no field {', '.join(unknown)}")


def checking_views() -> bool:
    return _check_views


def check_answer(type_name: str, value) -> None:
    """Raises BindingError for a view of another type answered where an object of `type_name` is
    expected (the executor calls it for every object value when views are checked)."""
    if type(value) is dict:
        name = value.get("__typename")
        if name is not None and name != type_name:
            raise BindingError(f"a view of {name} answered where {type_name} is expected")


def _is_default(resolve) -> bool:
    return isinstance(resolve, functools.partial) and resolve.func is default_resolver


_unresolved_non_null: dict[str, frozenset[str]] = {}


def unresolved_non_null(graphql_type) -> frozenset[str]:
    """The non-null fields of a GraphQL object type that no hand-written resolver is bound to: a
    value of the type must carry them (as view keys), or they answer null and fail."""
    found = _unresolved_non_null.get(graphql_type.name)
    if found is None:
        found = frozenset(
            name
            for name, field in graphql_type.fields.items()
            if is_non_null_type(field.type) and _is_default(field.resolve)
        )
        _unresolved_non_null[graphql_type.name] = found
    return found


def check_complete(graphql_type, value) -> None:
    """Raises BindingError for a value of `graphql_type` that would answer null in a non-null field:
    a view without one of `unresolved_non_null`'s keys (or with None there), or an object (a model
    instance) while the type has such a field at all."""
    missing = unresolved_non_null(graphql_type)
    if not missing:
        return
    if type(value) is dict:
        absent = sorted(name for name in missing if value.get(name) is None)
        if absent:
            raise BindingError(f"a view of {graphql_type.name} lacks non-null {', '.join(absent)}")
    elif not all(hasattr(value, f"gql_{name}") for name in missing):
        raise BindingError(f"{graphql_type.name} has no resolver for non-null {', '.join(sorted(missing))}")


def resolve_type(instance, info):
    name = None
    if isinstance(instance, dict):
        name = instance.get("__typename")
    if name is None:
        name = getattr(instance, "graphql_type", None)
    if name is None:
        for klass in type(instance).__mro__:
            if klass in TYPE_RESOLVERS:
                name = TYPE_RESOLVERS[klass](instance)
                break
    if name is None or _generated is None:
        return None
    return getattr(_generated, name)


def resolvers(
    *, generated: ModuleType, resolver_modules: list[ModuleType]
) -> dict[tuple[str, str], Callable]:
    """Every hand-written resolver, keyed by (type name, field name), without binding anything.

    A resolver class is a public class defined in one of `resolver_modules`; its `resolve_<field>`
    members (inherited ones included) resolve the fields of the generated type of the same name.
    Raises BindingError for a class or resolver naming something the contract does not have, or a
    field resolved twice.
    """
    found: dict[tuple[str, str], Callable] = {}
    for module in resolver_modules:
        for class_name, holder in inspect.getmembers(module, inspect.isclass):
            if holder.__module__ != module.__name__ or class_name.startswith("_"):
                continue
            target = getattr(generated, class_name, None)
            if not (inspect.isclass(target) and issubclass(target, graphene.ObjectType | graphene.Interface)):
                raise BindingError(f"{module.__name__}.{class_name}: no such object type in the contract")
            fields = target._meta.fields
            members: dict = {}
            for klass in reversed(holder.__mro__[:-1]):
                members.update(vars(klass))
            for attr, function in members.items():
                if not attr.startswith("resolve_"):
                    continue
                field = attr.removeprefix("resolve_")
                if field not in fields:
                    raise BindingError(f"{module.__name__}.{class_name}.{attr}: no field {field}")
                if (class_name, field) in found:
                    raise BindingError(f"{class_name}.{field} is resolved twice")
                found[(class_name, field)] = (
                    function.__func__ if isinstance(function, staticmethod) else function
                )
    return found


def bind(*, generated: ModuleType, resolver_modules: list[ModuleType], check_views: bool = False) -> None:
    """Attach every `resolve_*` of the resolver classes to the generated types of the same name.
    With `check_views`, every `view(...)` checks its type and keys against `generated`.

    Raises BindingError (see `resolvers`) before binding anything.
    """
    global _generated, _check_views
    found = resolvers(generated=generated, resolver_modules=resolver_modules)
    _generated = generated
    _check_views = check_views
    for (class_name, field), function in found.items():
        getattr(generated, class_name)._meta.fields[field].resolver = function
