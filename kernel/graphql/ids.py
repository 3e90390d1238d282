"""Opaque, stable public ids: Relay global ids `base64("<Type>:<key>")` whose key is a scrambled
primary key (a bijection modulo a prime), so ids are neither the key nor sequential.

Where the contract types an id `Int` (an agreement's, a saving session's), the public number is the
primary key scrambled the same way modulo 2**31 - 1 (a prime, and the largest GraphQL Int), which
covers keys below it."""

from __future__ import annotations

import base64
import binascii

_MODULUS = (1 << 61) - 1  # a prime: multiplying by a unit permutes [1, modulus)
_MULTIPLIER = 0x5DEECE66D1A3B


def _scramble(pk: int) -> int:
    return (pk * _MULTIPLIER) % _MODULUS


def _unscramble(value: int) -> int:
    return (value * pow(_MULTIPLIER, -1, _MODULUS)) % _MODULUS


def encode_pk(pk: int) -> str:
    """A stable public form of a primary key: not the key, not sequential."""
    return format(_scramble(pk), "x")


def decode_pk(value: str) -> int | None:
    try:
        number = int(value, 16)
    except ValueError:
        return None
    if not 0 < number < _MODULUS:
        return None
    return _unscramble(number)


_INT_MODULUS = (1 << 31) - 1
_INT_MULTIPLIER = 1_103_515_245 % _INT_MODULUS


def encode_int(pk: int) -> int:
    """A stable public number for a primary key below 2**31 - 1, for ids the contract types Int:
    not the key, not sequential. Raises ValueError for a key out of that range."""
    if not 0 < pk < _INT_MODULUS:
        raise ValueError(f"{pk} has no 31-bit public number")
    return (pk * _INT_MULTIPLIER) % _INT_MODULUS


def decode_int(value) -> int | None:
    """The primary key behind a public number (an int, or a string of digits), or None."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    if not 0 < number < _INT_MODULUS:
        return None
    return (number * pow(_INT_MULTIPLIER, -1, _INT_MODULUS)) % _INT_MODULUS


def global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def parse_global_id(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, key = decoded.partition(":")
    return (type_name, key) if sep and type_name and key else None


def model_id(type_name: str, pk: int) -> str:
    return global_id(type_name, encode_pk(pk))


def parse_model_id(value: str, *type_names: str) -> int | None:
    """The primary key behind a node id of one of `type_names`, or None."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] not in type_names:
        return None
    return decode_pk(parsed[1])
