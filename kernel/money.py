"""Money as integer minor units in the database and `Decimal` in arithmetic; never float.

Rounding happens in `to_minor_units`, the one named place, with the mode written out.
"""

from __future__ import annotations

import re
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


# --- Amounts people type and read: pounds and pence, never minor units --------------------------------

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "AUD": "A$", "USD": "US$", "NZD": "NZ$", "JPY": "¥"}
# More digits than any amount the platform moves (a trillion pounds), so a typed amount can never
# overflow a BIGINT column of minor units.
MAX_WHOLE_DIGITS = 12
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")


class InvalidAmount(ValueError):
    """Text that is not an amount of money in major units (letters, exponents, NaN, too many digits or
    decimal places)."""


def parse_major_units(text: str, *, currency: str) -> Decimal:
    """`"1,234.56"` (an optional currency symbol first) to `Decimal("1234.56")`, refusing anything a
    person would not type as an amount: signs, exponents (`1e400`), NaN or Infinity, more than
    MAX_WHOLE_DIGITS whole digits or more decimal places than `currency` has.

    Raises InvalidAmount, UnknownCurrency.
    """
    places = exponent(currency)
    cleaned = text.strip().removeprefix(CURRENCY_SYMBOLS.get(currency, "\0")).strip()
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        example = "12.50" if places else "1250"
        raise InvalidAmount(
            f"Enter an amount in {currency} like {example}: digits, then up to {places} decimals."
        )
    whole, _, decimals = cleaned.replace(",", "").partition(".")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise InvalidAmount(f"That amount has more than {MAX_WHOLE_DIGITS} digits before the decimal point.")
    if len(decimals) > places:
        raise InvalidAmount(f"{currency} amounts have at most {places} decimal places.")
    return Decimal(cleaned.replace(",", ""))


def format_amount(*, minor_units: int, currency: str) -> str:
    """How people read money: `£1,234.56`, `−£12.50`, `¥1,250`."""
    major = to_major_units(minor_units=abs(minor_units), currency=currency)
    sign = "−" if minor_units < 0 else ""
    return f"{sign}{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{major:,.{exponent(currency)}f}"
