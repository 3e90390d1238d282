"""Agreements' `lineItems`: the agreement's charges bucket by bucket, priced by the billing
calculation, through the GraphQL endpoint."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing import models, queries
from kernel import ranges
from kernel.graphql import ids as gql_ids
from metering import operations as metering_operations
from tests.accounts.factories import EPOCH, AccountUserRoleFactory
from tests.billing.factories import AgreementFactory
from tests.graphql.conftest import error_code, queries_for, token_for
from tests.graphql.priced_supply import (
    FEBRUARY,
    NOW,
    flat_tariff,
    smart_supply,
    time_of_use_tariff,
)
from tests.metering.factories import MeterFactory, ReadingFactory, RegisterFactory, half_hours

QUERY = """query($id: ID!, $startAt: DateTime!, $grouping: LineItemGroupingOptions!,
  $itemType: LineItemTypeOptions!, $timezone: String!, $first: Int, $after: String) {
  electricityAgreement(id: $id) { ... on ElectricityAgreementType {
    lineItems(startAt: $startAt, grouping: $grouping, itemType: $itemType, timezone: $timezone,
              first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { startAt endAt netAmount numberOfUnits itemType settlementUnit } } } } } }"""


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def authed(gql, viewer, account, frozen):
    gql.token = token_for(viewer)
    return gql


def line_items(gql, agreement, *, grouping="DAY", item_type="CONSUMPTION_CHARGE", first=None, **more):
    variables = {
        "id": gql_ids.encode_int(agreement.pk),
        "startAt": more.pop("start_at", FEBRUARY.start.isoformat()),
        "grouping": grouping,
        "itemType": item_type,
        "timezone": more.pop("timezone", "Europe/London"),
        "first": first,
        **more,
    }
    return gql.ok(QUERY, variables)["electricityAgreement"]["lineItems"]


# Every agreement of an account, its consumption and its standing charges, day by day.
ACCOUNT_QUERY = """query($n: String!, $startAt: DateTime!, $first: Int) { account(accountNumber: $n) {
  electricityAgreements { id
    consumption: lineItems(startAt: $startAt, grouping: DAY, itemType: CONSUMPTION_CHARGE,
                           timezone: "Europe/London", first: $first) {
      edges { node { startAt endAt netAmount numberOfUnits } } }
    standing: lineItems(startAt: $startAt, grouping: DAY, itemType: STANDING_CHARGE,
                        timezone: "Europe/London", first: $first) {
      edges { node { startAt endAt netAmount numberOfUnits } } } } } }"""


def nodes(page):
    return [edge["node"] for edge in page["edges"]]


def month_lines(account, kind):
    bill = queries.preview_bill(account=account, period=FEBRUARY, as_of=NOW)
    return [line for line in bill.lines if line.kind == kind]


class TestLineItems:
    @pytest.mark.parametrize("tariff", [lambda: flat_tariff(standing=45, rate="24.5"), time_of_use_tariff])
    def test_day_buckets_of_a_month_add_up_to_its_bill_lines(self, authed, account, tariff):
        agreement = smart_supply(account, tariff())

        consumption = nodes(line_items(authed, agreement, first=28))
        standing = nodes(line_items(authed, agreement, item_type="STANDING_CHARGE", first=28))

        assert [node["startAt"] for node in consumption[:2]] == [
            "2025-02-01T00:00:00+00:00",
            "2025-02-02T00:00:00+00:00",
        ]
        assert consumption[-1]["endAt"] == "2025-03-01T00:00:00+00:00"
        lines = month_lines(account, models.BillLineKind.CONSUMPTION)
        assert sum(Decimal(node["netAmount"]) for node in consumption) == sum(line.amount for line in lines)
        assert sum(Decimal(node["numberOfUnits"]) for node in consumption) == Decimal(336)
        assert {(node["itemType"], node["settlementUnit"]) for node in consumption} == {
            ("CONSUMPTION_CHARGE", "KWH")
        }
        assert [(Decimal(node["numberOfUnits"]), Decimal(node["netAmount"])) for node in standing] == [
            (Decimal(1), Decimal(45))
        ] * 28
        assert {node["settlementUnit"] for node in standing} == {"DAYS"}
        (standing_line,) = month_lines(account, models.BillLineKind.STANDING_CHARGE)
        assert sum(Decimal(node["netAmount"]) for node in standing) == standing_line.amount

    def test_values_the_registers_at_each_buckets_boundaries_as_its_own_bill_would(self, authed, account):
        agreement = AgreementFactory(
            account=account, tariff=flat_tariff(standing=45, rate="24.5"), active_from=EPOCH
        )
        register = RegisterFactory(meter=MeterFactory(meter_point=agreement.meter_point, is_smart=False))
        value = Decimal(1000)
        for day in range(29):
            ReadingFactory(register=register, read_at=FEBRUARY.start + dt.timedelta(days=day), value=value)
            value += 3 + day % 5 * Decimal("1.7")

        items = nodes(line_items(authed, agreement, first=28))

        for day in (0, 13, 27):
            bill = queries.preview_bill(
                account=account,
                period=ranges.Period(
                    FEBRUARY.start + dt.timedelta(days=day), FEBRUARY.start + dt.timedelta(days=day + 1)
                ),
                as_of=NOW,
            )
            (line,) = [line for line in bill.lines if line.kind == models.BillLineKind.CONSUMPTION]
            assert (Decimal(items[day]["numberOfUnits"]), Decimal(items[day]["netAmount"])) == (
                line.quantity,
                line.amount,
            ), day
        assert Decimal(items[13]["numberOfUnits"]) == 3 + 13 % 5 * Decimal("1.7")

    def test_half_hours_follow_the_time_of_use_rates(self, authed, account):
        agreement = smart_supply(account, time_of_use_tariff())

        items = nodes(line_items(authed, agreement, grouping="HALF_HOUR", first=3))

        assert [
            (node["startAt"], Decimal(node["numberOfUnits"]), Decimal(node["netAmount"])) for node in items
        ] == [
            ("2025-02-01T00:00:00+00:00", Decimal("0.1"), Decimal(3)),  # 0.1 kWh at 30p
            ("2025-02-01T00:30:00+00:00", Decimal("1.0"), Decimal(8)),  # 7.5p, rounded half up
            ("2025-02-01T01:00:00+00:00", Decimal("1.0"), Decimal(8)),
        ]

    def test_pages_through_buckets_with_first_and_after(self, authed, account):
        agreement = smart_supply(account, flat_tariff(standing=45, rate="24.5"))

        first = line_items(authed, agreement, grouping="WEEK", first=2)
        second = line_items(authed, agreement, grouping="WEEK", first=2, after=first["pageInfo"]["endCursor"])

        # 1 February 2025 is a Saturday: the first week is its weekend.
        assert [node["startAt"] for node in nodes(first) + nodes(second)] == [
            "2025-02-01T00:00:00+00:00",
            "2025-02-03T00:00:00+00:00",
            "2025-02-10T00:00:00+00:00",
            "2025-02-17T00:00:00+00:00",
        ]
        assert first["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasNextPage"]

    def test_clips_buckets_to_the_agreement_and_to_now(self, authed, account):
        agreement = smart_supply(account, flat_tariff(standing=45, rate="24.5"))

        items = nodes(line_items(authed, agreement, grouping="MONTH", start_at="2019-06-01T00:00:00+00:00"))

        assert items[0]["startAt"] == EPOCH.isoformat()
        assert (items[-1]["startAt"], items[-1]["endAt"]) == (
            "2025-03-01T00:00:00+00:00",
            "2025-03-10T12:00:00+00:00",
        )

    def test_without_grouping_lists_the_bill_lines_of_the_whole_span(self, authed, account):
        agreement = smart_supply(account, time_of_use_tariff())

        items = nodes(line_items(authed, agreement, grouping="NONE", start_at="2025-02-01T00:00:00+00:00"))

        span = ranges.Period(FEBRUARY.start, NOW)
        bill = queries.preview_bill(account=account, period=span, as_of=NOW)
        expected = [line for line in bill.lines if line.kind == models.BillLineKind.CONSUMPTION]
        assert [(node["startAt"], Decimal(node["netAmount"])) for node in items] == [
            (line.period.start.isoformat(), Decimal(line.amount)) for line in expected
        ]

    def test_groups_in_the_zone_asked_for(self, authed, account):
        agreement = smart_supply(account, flat_tariff(standing=45, rate="24.5"))

        items = nodes(line_items(authed, agreement, timezone="America/New_York", first=2))

        # Midnight in New York is 05:00 GMT in February; times are given in the zone asked for.
        assert [(node["startAt"], node["endAt"]) for node in items] == [
            ("2025-01-31T19:00:00-05:00", "2025-02-01T00:00:00-05:00"),
            ("2025-02-01T00:00:00-05:00", "2025-02-02T00:00:00-05:00"),
        ]

    def test_refuses_an_unknown_time_zone(self, authed, account):
        agreement = smart_supply(account, flat_tariff(standing=45, rate="24.5"))
        variables = {
            "id": gql_ids.encode_int(agreement.pk),
            "startAt": FEBRUARY.start.isoformat(),
            "grouping": "DAY",
            "itemType": "CONSUMPTION_CHARGE",
            "timezone": "Mars/Olympus_Mons",
        }

        status, body = authed(QUERY, variables)

        assert status == 200
        assert error_code(body) == "KT-CT-4321"
        assert body["errors"][0]["extensions"]["validationErrors"][0]["inputPath"] == ["timezone"]

    def test_needs_a_constant_number_of_queries_whatever_the_number_of_items(
        self, authed, account, django_assert_max_num_queries
    ):
        agreement = smart_supply(account, time_of_use_tariff())
        variables = {
            "id": gql_ids.encode_int(agreement.pk),
            "startAt": FEBRUARY.start.isoformat(),
            "grouping": "HALF_HOUR",
            "itemType": "CONSUMPTION_CHARGE",
            "timezone": "Europe/London",
        }

        few, _ = queries_for(authed, QUERY, {**variables, "first": 2})
        many, data = queries_for(authed, QUERY, {**variables, "first": 100})

        assert many == few
        assert len(data["electricityAgreement"]["lineItems"]["edges"]) == 100
        with django_assert_max_num_queries(few):
            authed.ok(QUERY, {**variables, "first": 50})


class TestLineItemsOfManyAgreements:
    """`agreements { lineItems }`: one request's agreements of an account over the same span are
    priced from one read of their inputs, each exactly as if it were asked for alone."""

    def test_needs_the_same_queries_for_1_and_4_agreements(
        self, authed, account, viewer, django_assert_max_num_queries
    ):
        tariff = time_of_use_tariff()
        smart_supply(account, tariff)
        other = AccountUserRoleFactory(user=viewer).account
        for _ in range(4):
            smart_supply(other, tariff)
        variables = {"startAt": FEBRUARY.start.isoformat(), "first": 28}

        one, small = queries_for(authed, ACCOUNT_QUERY, {**variables, "n": account.number})
        four, large = queries_for(authed, ACCOUNT_QUERY, {**variables, "n": other.number})

        assert len(small["account"]["electricityAgreements"]) == 1
        assert len(large["account"]["electricityAgreements"]) == 4
        assert all(len(a["consumption"]["edges"]) == 28 for a in large["account"]["electricityAgreements"])
        assert four == one
        with django_assert_max_num_queries(one):
            authed.ok(ACCOUNT_QUERY, {**variables, "n": other.number})

    def test_prices_each_agreement_as_a_bill_of_each_bucket_would(self, authed, account):
        """The agreements asked for together are priced as each asked for alone, and as a bill of
        each bucket would price it: each is read over its own span. The register-only agreement
        ends when its meter point's smart meter is installed: over its own span it is priced from
        its registers, whereas over the span of all the agreements the meter point has half hours
        (missing for that agreement's days), and would be priced from those, filled in from the
        registers, which rounds differently (5.7140 kWh the first day, not 5.7143)."""
        tariff = time_of_use_tariff()
        smart_supply(account, tariff)
        switch = FEBRUARY.start + dt.timedelta(days=14)
        traditional = AgreementFactory(account=account, tariff=tariff, active_from=EPOCH, active_to=switch)
        register = RegisterFactory(
            meter=MeterFactory(
                meter_point=traditional.meter_point, is_smart=False, installed_from=EPOCH, installed_to=switch
            )
        )
        for day, value in ((0, 1000), (7, 1040), (14, 1100)):
            ReadingFactory(register=register, read_at=FEBRUARY.start + dt.timedelta(days=day), value=value)
        AgreementFactory(
            account=account, meter_point=traditional.meter_point, tariff=tariff, active_from=switch
        )
        smart = MeterFactory(meter_point=traditional.meter_point, installed_from=switch)
        RegisterFactory(meter=smart)
        metering_operations.ensure_interval_partitions(months=[(2025, 2)])
        half_hours(smart, start=switch, values=["0.2"] * (14 * 48), recorded_at=FEBRUARY.end)

        agreements = authed.ok(
            ACCOUNT_QUERY, {"n": account.number, "startAt": FEBRUARY.start.isoformat(), "first": 28}
        )["account"]["electricityAgreements"]

        assert len(agreements) == 3
        for agreement in models.Agreement.objects.filter(account=account):
            (asked,) = [a for a in agreements if a["id"] == gql_ids.encode_int(agreement.pk)]
            for item_type, alias in (("CONSUMPTION_CHARGE", "consumption"), ("STANDING_CHARGE", "standing")):
                together = figures(asked[alias])
                alone = figures(line_items(authed, agreement, item_type=item_type, first=28))
                assert together == alone == as_billed(agreement, item_type), (agreement.pk, item_type)
        (by_registers,) = [a for a in agreements if a["id"] == gql_ids.encode_int(traditional.pk)]
        assert len(nodes(by_registers["consumption"])) == 14
        # 40 kWh the first week and 60 the second, as the registers read (to the rounding of each day).
        units = [Decimal(node["numberOfUnits"]) for node in nodes(by_registers["consumption"])]
        assert abs(sum(units[:7]) - 40) < Decimal("0.001")
        assert abs(sum(units) - 100) < Decimal("0.001")


def figures(page):
    """(start, end, amount, units) of each item of a page, money as exact Decimals."""
    return [
        (node["startAt"], node["endAt"], Decimal(node["netAmount"]), Decimal(node["numberOfUnits"]))
        for node in nodes(page)
    ]


def as_billed(agreement, item_type):
    """(start, end, amount, units) of the agreement's first 28 DAY items from 1 February as a bill
    of each day prices them (the same account, every meter point, read over that day alone)."""
    london = ZoneInfo("Europe/London")
    kind, _ = queries.ITEM_KINDS[item_type]
    span = queries.line_item_span(agreement=agreement, start=FEBRUARY.start, now=NOW)
    items = []
    for bucket in queries.line_item_buckets(span=span, grouping="DAY", tz=london)[:28]:
        bill = queries.preview_bill(account=agreement.account, period=bucket, as_of=NOW)
        lines = [line for line in bill.lines if line.kind == kind and line.agreement_id == agreement.pk]
        items.append(
            (
                bucket.start.astimezone(london).isoformat(),
                bucket.end.astimezone(london).isoformat(),
                Decimal(sum(line.amount for line in lines)),
                sum((line.quantity for line in lines), Decimal(0)),
            )
        )
    return items
