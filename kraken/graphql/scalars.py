"""Scalars of the contract that graphene does not ship."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import graphene
from graphql.language import ast


class NormalizedDecimal(graphene.Scalar):
    """A decimal without trailing zeros, sent as a string (e.g. "24.5" for 24.5000)."""

    @staticmethod
    def serialize(value):
        if value is None:
            return None
        normalized = Decimal(value).normalize()
        return format(normalized, "f")

    @classmethod
    def parse_literal(cls, node, _variables=None):
        if isinstance(node, ast.StringValueNode | ast.IntValueNode | ast.FloatValueNode):
            return cls.parse_value(node.value)
        return graphene.types.scalars.Undefined

    @staticmethod
    def parse_value(value):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return graphene.types.scalars.Undefined
