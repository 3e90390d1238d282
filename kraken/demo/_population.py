"""Who the demo customers are (a plan per account, from a seeded random generator) and the Data
Import API payloads that bring them in, exactly as a migration team would send them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.rules import checks
from kraken.demo import _constants as c

FLEXIBLE, AGILE, GO, INTELLIGENT = "FLEXIBLE", "AGILE", "GO", "INTELLIGENT"
TARIFF_CODES = {
    FLEXIBLE: "E-1R-DEMO-FLEX-24-A",
    AGILE: "E-1R-DEMO-AGILE-24-A",
    GO: "E-1R-DEMO-GO-24-A",
    INTELLIGENT: "E-1R-DEMO-INTELLI-24-A",
}
GAS_TARIFF_CODE = "G-1R-DEMO-FLEX-24-A"
# Registers of a smart meter on a two-rate tariff, as its time-of-use configuration names them.
REGISTER_BANDS = {GO: ("STANDARD", "OFF_PEAK"), INTELLIGENT: ("PEAK", "OFF_PEAK")}
FIRST_NAMES = [
    "Ada",
    "Grace",
    "Alan",
    "Mary",
    "Tim",
    "Rosalind",
    "Charles",
    "Dorothy",
    "Isambard",
    "Florence",
]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Seacole",
    "Berners-Lee",
    "Franklin",
    "Babbage",
    "Hodgkin",
    "Brunel",
]
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue"]
TOWNS = ["Norwich", "Cambridge", "Ipswich", "Colchester", "Peterborough", "Bedford", "Luton", "Chelmsford"]
COUNTIES = {
    "Norwich": "Norfolk",
    "Cambridge": "Cambridgeshire",
    "Ipswich": "Suffolk",
    "Colchester": "Essex",
    "Peterborough": "Cambridgeshire",
    "Bedford": "Bedfordshire",
    "Luton": "Bedfordshire",
    "Chelmsford": "Essex",
}
EV_MODELS = [("Tesla", "Model 3"), ("Kia", "EV6"), ("Volkswagen", "ID.3"), ("Nissan", "Leaf"), ("MG", "MG4")]


@dataclass(frozen=True)
class Plan:
    """One demo account: what it is on, since when, and what happens to it."""

    index: int
    first_name: str
    last_name: str
    address: str
    town: str
    postcode: str
    joined: datetime
    electricity: str
    gas: bool
    smart: bool
    direct_debit: bool
    annual_kwh: int
    annual_gas_kwh: int
    transfer_balance: Decimal = Decimal(0)
    moved_out: datetime | None = None
    dormant: bool = False
    declined_month: int | None = None
    vendor_outage_month: int | None = None
    outage_days: tuple[date, ...] = field(default_factory=tuple)
    ev: bool = False
    saver: bool = False
    # The registers' and the gas meter's values when supply starts (the transfer readings).
    start_reads: tuple[int, int] = (0, 0)
    gas_start_read: int = 0

    @property
    def external(self) -> str:
        return f"DEMO-{self.index:05d}"

    @property
    def email(self) -> str:
        return c.DEMO_CUSTOMER_EMAIL if self.index == 0 else f"customer{self.index}@example.com"

    @property
    def street_lines(self) -> tuple[str, str, str]:
        """The address's three street lines: the demo customer lives in a flat, in a suburb."""
        if self.index == 0:
            return ("Flat 2", self.address, "Thorpe Hamlet")
        return (self.address, "", "")

    @property
    def delivery_point(self) -> str:
        """The address's Royal Mail UDPRN (eight digits)."""
        return f"{50000000 + self.index}"

    @property
    def mpan(self) -> str:
        core = f"{101234500000 + self.index:012d}"
        return core + checks.mpan_check_digit(core)

    @property
    def mprn(self) -> str:
        return f"{7000000 + self.index}"

    @property
    def electricity_serial(self) -> str:
        return f"{'21L' if self.smart else 'E10'}{self.index:07d}"

    @property
    def gas_serial(self) -> str:
        return f"{'G4P' if self.smart else 'G01'}{self.index:07d}"


def plans(*, count: int, now: datetime, tz: ZoneInfo, rng: random.Random) -> list[Plan]:
    """The accounts of the demo set. The first is the demo customer: dual fuel, smart, on an
    Intelligent-style tariff with an electric car, here for the whole history. Then: a moved-out
    property, a dormant account, a declined direct debit presented again, a vendor outage retried,
    smart meters with gaps in their data; the rest drawn at random (a fifth smart, half dual fuel,
    a fifth paying without direct debit, a few bringing credit or debt from their old supplier)."""
    first = c.month_start(now, c.MONTHS_OF_HISTORY, tz)
    result = []
    for index in range(count):
        smart = index == 0 or index in (5, 6) or rng.random() < 0.2
        # Most have joined in the last months; the demo customer, the special cases and a few
        # others (some smart, so months of their half hours exist too) were here from the start.
        if index < 7 or rng.random() < (0.12 if smart else 0.2):
            months_here = c.MONTHS_OF_HISTORY
        else:
            months_here = rng.randint(2, 5) if smart else rng.randint(2, c.MONTHS_OF_HISTORY - 3)
        electricity = FLEXIBLE
        if smart:
            electricity = rng.choices([AGILE, GO, INTELLIGENT, FLEXIBLE], weights=[35, 25, 25, 15])[0]
        if index == 0:
            electricity = INTELLIGENT
        elif index in (5, 6):
            electricity = (AGILE, GO)[index - 5]
        balance = Decimal(0)
        roll = rng.random()
        if index == 2 or roll < 0.04:
            balance = Decimal(rng.randrange(5000, 20000)) / 100
        elif roll < 0.08:
            balance = -Decimal(rng.randrange(2000, 15000)) / 100
        joined = c.month_start(now, months_here, tz)
        outages = ()
        if index in (5, 6):
            outage = (first + timedelta(days=40 + 20 * index)).date()
            outages = (outage, outage + timedelta(days=1))
        result.append(
            Plan(
                index=index,
                first_name="Demo" if index == 0 else rng.choice(FIRST_NAMES),
                last_name="Customer" if index == 0 else rng.choice(LAST_NAMES),
                address=f"{index + 1} {rng.choice(STREETS)}",
                town=rng.choice(TOWNS),
                postcode=f"NR{rng.randrange(1, 30)} {rng.randrange(1, 9)}AB",
                joined=joined,
                electricity=electricity,
                gas=index == 0 or rng.random() < 0.5,
                smart=smart,
                direct_debit=index in (0, 1, 2, 3, 4) or (index > 6 and rng.random() < 0.8),
                annual_kwh=rng.randrange(1800, 4500) + (2500 if electricity == INTELLIGENT else 0),
                annual_gas_kwh=rng.randrange(7000, 16000),
                transfer_balance=balance,
                moved_out=c.month_start(now, 4, tz) + timedelta(days=14)
                if index == 1
                else (c.month_start(now, 8, tz) + timedelta(days=20) if index == 2 else None),
                dormant=index == 2,
                declined_month=c.MONTHS_OF_HISTORY - 3 if index == 3 else None,
                vendor_outage_month=c.MONTHS_OF_HISTORY - 2 if index == 4 else None,
                outage_days=outages,
                ev=electricity == INTELLIGENT or (electricity == GO and rng.random() < 0.5),
                saver=index == 0 or rng.random() < 0.6,
                start_reads=(rng.randrange(1000, 40000), rng.randrange(1000, 20000)),
                gas_start_read=rng.randrange(1000, 9000),
            )
        )
    return result


def payload(plan: Plan) -> dict:
    """The account as a Data Import API v1 payload, sent when it joins (a move-out comes later)."""
    start = plan.joined.date().isoformat()
    meter_points = [_electricity(plan, start)]
    if plan.gas:
        meter_points.append(_gas(plan, start))
    line_1, line_2, line_3 = plan.street_lines
    address = {
        "supply_address1": line_1,
        "supply_address2": line_2,
        "supply_address3": line_3,
        "supply_address4": plan.town,
        "supply_address5": COUNTIES[plan.town],
        "supply_postcode": plan.postcode,
        "supply_delivery_point_identifier": plan.delivery_point,
        "customer_at_supply_address_from_date": start,
        "meter_points": meter_points,
    }
    document = {
        "import_supplier": c.DEMO_IMPORT_SUPPLIER,
        "external_account_number": plan.external,
        "account_type": "DOMESTIC",
        "operations_team_name": "Migration",
        "billing_name": f"{plan.first_name} {plan.last_name}",
        "billing_address1": line_1,
        "billing_address2": line_2,
        "billing_address3": line_3,
        "billing_address4": plan.town,
        "billing_address5": COUNTIES[plan.town],
        "billing_postcode": plan.postcode,
        "billing_delivery_point_identifier": plan.delivery_point,
        "billing_email": plan.email,
        "sales_channel": "DIRECT",
        "customers": [
            {
                "given_name": plan.first_name,
                "family_name": plan.last_name,
                "email": plan.email,
                "mobile": f"07700{900000 + plan.index:06d}",
                "title": "Mx",
                "account_roles": ["ADMIN"],
                **(
                    {"pronouns": "THEY_THEM_THEIRS", "date_of_birth": "1986-04-12"} if plan.index == 0 else {}
                ),
            }
        ],
        "supply_addresses": [address],
        "last_statement_closing_date": (plan.joined.date() - timedelta(days=1)).isoformat(),
        "last_statement_balance": f"{plan.transfer_balance:.2f}",
        "transfer_balance": f"{plan.transfer_balance:.2f}",
    }
    if plan.direct_debit:
        document["payment_instructions"] = [
            {
                "type": "DIRECT_DEBIT",
                "vendor": c.PAYMENT_VENDOR,
                "reference": f"DEMO-MANDATE-{plan.index:06d}",
                "instruction_identifier": f"DEMO-PI-{plan.index:06d}",
            }
        ]
    return document


def _electricity(plan: Plan, start: str) -> dict:
    bands = REGISTER_BANDS.get(plan.electricity, ("STANDARD",))
    meter = {
        "meter_serial_number": plan.electricity_serial,
        "installed_on": start,
        "registers": [
            {"register_id": str(number), "tpr": f"{number:05d}", "number_of_digits": 5}
            for number in range(1, len(bands) + 1)
        ],
        "transfer_readings": [
            {
                "register_id": str(number),
                "reading_date": start,
                "reading_value": str(plan.start_reads[number - 1]),
                "reading_type": "CUSTOMER",
            }
            for number in range(1, len(bands) + 1)
        ],
    }
    if plan.smart:
        meter["smart_type"] = "SMETS2"
    return {
        "supply_type": "ELECTRICITY",
        "identifier": plan.mpan,
        "mpid": "TENT",
        "supply_start_date": start,
        "last_billed_to_date": start,
        "profile_class": 1,
        # The industry's estimated annual consumption, shared between the registers' time patterns.
        "eac_history": [
            {
                "effective_from": start,
                "tpr": f"{number:05d}",
                "consumption": f"{Decimal(plan.annual_kwh) / len(bands):.2f}",
            }
            for number in range(1, len(bands) + 1)
        ],
        "agreements": [{"tariff_code": TARIFF_CODES[plan.electricity], "effective_from": start}],
        "meters": [meter],
    }


def _gas(plan: Plan, start: str) -> dict:
    meter = {
        "meter_serial_number": plan.gas_serial,
        "gas_number_of_digits": 5,
        "transfer_readings": [
            {"reading_date": start, "reading_value": str(plan.gas_start_read), "reading_type": "CUSTOMER"}
        ],
    }
    if plan.smart:
        meter["smart_type"] = "SMETS2"
    return {
        "supply_type": "GAS",
        "identifier": plan.mprn,
        "mpid": "TENT",
        "shipper_mpid": "BGS",
        "ldz": c.LDZ,
        "supply_start_date": start,
        "last_billed_to_date": start,
        "aq_history": [{"effective_from": start, "consumption": f"{plan.annual_gas_kwh}.00"}],
        "agreements": [{"tariff_code": GAS_TARIFF_CODE, "effective_from": start}],
        "meters": [meter],
    }
