"""The scale data set's public identifiers: functions of (seed, index), so a seed yields the same
numbers whatever the chunking or the number of workers."""

from __future__ import annotations

from accounts import models as accounts
from imports.rules import checks
from metering import models as metering

MAX_SEED = 255
BLOCK = 2**24  # account numbers and supply points of one seed
MPRN_BASE = 5_000_000_000
# Ids mixed inside a seed's block (an odd multiplier is a bijection modulo 2^24), so numbers do not
# look sequential.
MIX = 0x9E3779
PROPERTY_MIX = 0x5DEECE66  # property numbers: a multiplier modulo the prime 2^31 - 1
DISTRIBUTOR_OF_REGION = {group.value: code for code, group in metering.GSP_GROUP_OF_DISTRIBUTOR.items()}


def account_number(seed: int, index: int) -> str:
    return f"A-{seed * BLOCK + index * MIX % BLOCK:08X}"


def mpan(seed: int, index: int, region: str) -> str:
    core = f"{DISTRIBUTOR_OF_REGION[region]}{seed * BLOCK + index:010d}"
    return core + checks.mpan_check_digit(core)


def mprn(seed: int, index: int) -> str:
    return str(MPRN_BASE + seed * BLOCK + index)


def email(seed: int, index: int) -> str:
    return f"scale-{seed}-{index}@example.com"


def property_number(seed: int, index: int) -> int:
    """A 31-bit property number that looks random: (seed, index) times a constant, modulo the prime
    2^31 - 1, is a bijection on a seed's block, so a seed's numbers never collide with each other."""
    return 1 + (seed * BLOCK + index) * PROPERTY_MIX % (2**31 - 1)


def is_loaded(*, seed: int) -> bool:
    """Whether any of the seed's accounts is in the database (its first account number is)."""
    return accounts.Account.objects.filter(number=account_number(seed, 0)).exists()
