"""How the generated graphene classes meet the hand-written resolvers.

- `default_resolver` reads a field by its exact GraphQL name from a dict or an attribute. Resolvers
  that build plain values return dicts keyed by GraphQL field names; model instances are read only
  through hand-written `resolve_*` functions, so a model attribute never leaks into a field by
  accident (a field nobody resolves is null).
- `bind` copies the `resolve_<field>` functions of the classes in the apps' `graphql/resolvers.py`
  onto the generated class of the same name, and fails loudly for a typo (no such type or field).
- `resolve_type` picks the concrete object type of an interface or union value: a dict's
  `__typename`, an object's `graphql_type`, or a function registered for the model class.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType

import graphene

_MISSING = object()

# Marks a resolver that never reads `info`, so the executor may call it with `info=None` and skip
# building a ResolveInfo (most leaves of a large answer are such fields).
WITHOUT_INFO = "resolves_without_info"

# model class -> function(instance) -> GraphQL object type name
TYPE_RESOLVERS: dict[type, Callable[[object], str]] = {}
_generated: ModuleType | None = None


def without_info(function):
    """Declare that a `resolve_*(root, info)` resolver ignores `info` (see `WITHOUT_INFO`)."""
    target = function.__func__ if isinstance(function, staticmethod) else function
    setattr(target, WITHOUT_INFO, True)
    return function


class BindingError(Exception):
    """A resolver names a type or field that the generated schema does not have."""


def default_resolver(attname, default_value, root, info, **args):
    if root is None:
        return None
    if isinstance(root, dict):
        return root.get(info.field_name, default_value)
    value = getattr(root, f"gql_{info.field_name}", _MISSING)
    return default_value if value is _MISSING else value


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


def bind(*, generated: ModuleType, resolver_modules: list[ModuleType]) -> None:
    """Attach every `resolve_*` of the resolver classes to the generated types of the same name.

    Raises BindingError for a class or resolver naming something the contract does not have, or a
    field bound twice.
    """
    global _generated
    _generated = generated
    bound: set[tuple[str, str]] = set()
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
                if (class_name, field) in bound:
                    raise BindingError(f"{class_name}.{field} is resolved twice")
                bound.add((class_name, field))
                fields[field].resolver = function.__func__ if isinstance(function, staticmethod) else function
