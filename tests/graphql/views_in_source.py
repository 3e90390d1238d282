"""Reading the GraphQL views of the source without running it (used by test_bindings.py).

A view is a dict value of a contract object type, built by `gql.view(type_name, field=value, ...)`,
directly or through a *builder*: a function whose first parameter it passes on as the type name of
`gql.view` or of another builder (e.g. `_tariff(type_name, tariff, prices, **rates)`).

The type a view may have is told from the source: a string literal, either branch of
`a if c else b`, a module-level dict of type names read with `NAMES[key]` or
`NAMES.get(key, "Default")`, or a builder's first parameter (then every type its callers pass,
across all the modules read). Each keyword of a `gql.view` or builder call (but a builder's own
parameters) must be a field of every type the view may have. A view whose type cannot be told
this way, or a dict literal keyed by strings inside a function (a view built without `gql.view`,
but for the `validation_errors` of a KrakenError), is a problem too. Keys passed on as `**values`
are left to the run-time check (GRAPHQL_CHECK_VIEWS), as are the non-null fields of a view that
passes keys on.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

VIEW = "gql.view"


@dataclass(frozen=True)
class _Call:
    node: ast.Call
    callee: str
    function: str | None  # the innermost function the call is written in
    module: str


def problems(
    sources: dict[str, str],
    fields_of: Callable[[str], set[str] | None],
    required_of: Callable[[str], set[str]] | None = None,
) -> list[str]:
    """What is wrong with the views of `sources` (module name -> source); `fields_of(type_name)`
    gives the fields of a contract object type, None for anything else; `required_of(type_name)`,
    when given, the non-null fields a view of the type must set (a `gql.view` call that passes no
    `**values` on and leaves one out is a problem)."""
    trees = {module: ast.parse(source) for module, source in sources.items()}
    names = {module: _name_tables(tree) for module, tree in trees.items()}
    first_params: dict[str, set[str]] = defaultdict(set)
    params: dict[str, set[str]] = defaultdict(set)
    calls: list[_Call] = []
    found: list[str] = []
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                params[node.name].update(a.arg for a in arguments)
                if node.args.posonlyargs or node.args.args:
                    first_params[node.name].add((node.args.posonlyargs + node.args.args)[0].arg)
        _collect(tree, module=module, function=None, in_errors=False, calls=calls, found=found)

    builders: set[str] = set()
    changed = True
    while changed:
        changed = False
        for call in calls:
            if call.function in builders or call.function is None or not call.node.args:
                continue
            if call.callee in builders | {VIEW} and _names_param(call, first_params):
                builders.add(call.function)
                changed = True

    types: dict[str, set[str]] = defaultdict(set)

    def resolve(expr: ast.expr, call: _Call) -> set[str] | None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            body, orelse = resolve(expr.body, call), resolve(expr.orelse, call)
            return None if body is None or orelse is None else body | orelse
        table = names[call.module]
        if isinstance(expr, ast.Subscript) and getattr(expr.value, "id", None) in table:
            return set(table[expr.value.id])
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "get"
            and getattr(expr.func.value, "id", None) in table
        ):
            default = resolve(expr.args[1], call) if len(expr.args) > 1 else set()
            return None if default is None else table[expr.func.value.id] | default
        if (
            call.function in builders
            and isinstance(expr, ast.Name)
            and expr.id in first_params[call.function]
        ):
            return types[call.function]
        return None

    changed = True
    while changed:
        changed = False
        for call in calls:
            if call.callee in builders and call.node.args:
                resolved = resolve(call.node.args[0], call) or set()
                if not resolved <= types[call.callee]:
                    types[call.callee] |= resolved
                    changed = True

    for call in calls:
        if call.callee not in builders | {VIEW}:
            continue
        where = f"{call.module}:{call.node.lineno}"
        resolved = resolve(call.node.args[0], call) if call.node.args else None
        if resolved is None:
            found.append(f"{where}: {call.callee}: the type of this view cannot be told from the source")
            continue
        own = set() if call.callee == VIEW else params[call.callee]
        for type_name in sorted(resolved):
            fields = fields_of(type_name)
            if fields is None:
                found.append(f"{where}: {call.callee} of {type_name}: no such object type in the contract")
                continue
            found += [
                f"{where}: {call.callee} of {type_name}: no field {keyword.arg}"
                for keyword in call.node.keywords
                if keyword.arg is not None and keyword.arg not in own and keyword.arg not in fields
            ]
            passes_on = any(keyword.arg is None for keyword in call.node.keywords)
            if required_of is not None and call.callee == VIEW and not passes_on:
                given = {keyword.arg for keyword in call.node.keywords}
                found += [
                    f"{where}: gql.view of {type_name}: lacks non-null {name}"
                    for name in sorted(required_of(type_name) - given)
                ]
    return sorted(set(found))


def _name_tables(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level dicts whose values are all string literals (e.g. STATUS_TYPES)."""
    tables = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Dict)
            and node.value.values
            and all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in node.value.values)
        ):
            tables[node.targets[0].id] = {v.value for v in node.value.values}
    return tables


def _names_param(call: _Call, first_params: dict[str, set[str]]) -> bool:
    first = call.node.args[0]
    return isinstance(first, ast.Name) and first.id in first_params[call.function]


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return VIEW if func.attr == "view" and getattr(func.value, "id", None) == "gql" else func.attr
    return func.id if isinstance(func, ast.Name) else None


def _collect(
    node: ast.AST, *, module: str, function: str | None, in_errors: bool, calls: list[_Call], found: list[str]
) -> None:
    if isinstance(node, ast.Call) and (callee := _callee(node)) is not None:
        calls.append(_Call(node=node, callee=callee, function=function, module=module))
    if (
        isinstance(node, ast.Dict)
        and function is not None
        and not in_errors
        and node.keys
        and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys)
    ):
        found.append(f"{module}:{node.lineno}: a dict view not built with gql.view")
    for child in ast.iter_child_nodes(node):
        _collect(
            child,
            module=module,
            function=node.name
            if isinstance(node, ast.FunctionDef)
            else "<lambda>"
            if isinstance(node, ast.Lambda) and function is None
            else function,
            in_errors=in_errors or (isinstance(node, ast.keyword) and node.arg == "validation_errors"),
            calls=calls,
            found=found,
        )
