"""Money as integer minor units in the database and `Decimal` in arithmetic; never float.

Rounding happens in `to_minor_units`, the one named place, with the mode written out.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 exponents for the currencies the platform bills in.
MINOR_UNIT_EXPONENTS = {"GBP": 2, "EUR": 2, "AUD": 2, "USD": 2, "NZD": 2, "JPY": 0}
CURRENCY_CHOICES = [(code, code) for code in MINOR_UNIT_EXPONENTS]


class UnknownCurrency(ValueError):
    pass


def exponent(currency: str) -> int:
    try:
        return MINOR_UNIT_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(currency) from None


def to_minor_units(*, amount: Decimal, currency: str) -> int:
    """Major units (e.g. pounds) to integer minor units (pence), rounding half up.

    Raises UnknownCurrency, TypeError for a float.
    """
    if isinstance(amount, float):
        raise TypeError("Money is never a float")
    quantum = Decimal(1).scaleb(-exponent(currency))
    return int((amount / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_minor_units(value: Decimal) -> int:
    """A fractional amount of minor units (e.g. 123.5p) to whole minor units, rounding half up."""
    if isinstance(value, float):
        raise TypeError("Money is never a float")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_major_units(*, minor_units: int, currency: str) -> Decimal:
    return Decimal(minor_units).scaleb(-exponent(currency))


def format_money(*, minor_units: int, currency: str) -> str:
    return f"{to_major_units(minor_units=minor_units, currency=currency):,} {currency}"
