"""Error codes as a registry: every code any door answers is defined once, with its message.

A code is a `str` (doors and tests compare it with plain strings) that also carries the
human-readable message and, for GraphQL, Kraken's error type. `define` refuses a code defined twice
with a different message or type, so two apps cannot give one wire code two meanings.
"""

from __future__ import annotations


class ErrorCode(str):
    """An exact error code: the contract clients branch on. Messages are for humans and may change."""

    message: str
    description: str
    error_type: str

    def __new__(cls, code: str, message: str = "", *, description: str = "", error_type: str = ""):
        value = super().__new__(cls, code)
        value.message = message or code
        value.description = description or value.message
        value.error_type = error_type
        return value

    @property
    def code(self) -> str:
        return str(self)


class ConflictingErrorCode(ValueError):
    """A code was defined twice with different messages or types."""


REGISTRY: dict[str, ErrorCode] = {}


def define(code: str, message: str = "", *, description: str = "", error_type: str = "") -> ErrorCode:
    """Register `code` and return it. One code may be defined again with another description (the
    situation it is raised in), never with another message or type: ConflictingErrorCode."""
    new = ErrorCode(code, message, description=description, error_type=error_type)
    known = REGISTRY.setdefault(code, new)
    if (known.message, known.error_type) != (new.message, new.error_type):
        raise ConflictingErrorCode(code)
    return new


def lookup(code: str) -> ErrorCode | None:
    return REGISTRY.get(code)
