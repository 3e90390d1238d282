"""The project's admin: the Account page, composed from every app (see _accounts)."""

from kraken.admin import _accounts

__all__ = ["_accounts"]
