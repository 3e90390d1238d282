"""Customer GraphQL, p50 latencies of whole requests through Django's test client (view,
authentication, validation, limits, execution, dataloaders, JSON):

- the account-graph query against a hand-written single-SQL `json_agg` baseline returning the same
  data, measured in the same run (target: at most 5x). The account has 3 properties x 2 meter
  points x 12 agreements (monthly, on a tariff with a rate) and 24 bills;
- a crawl-sized query of the demo customer's account (`load_demo_data`): every field the contract
  has below `account`, down to four object levels, five rows a page, the way graph_crawl.py asks
  (target: 300 ms at most).

Runs in its own database, `bench_kraken_graphql`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from graphql import parse

from benchmarks import timing

RUNS = 100
CRAWL_RUNS = 30
WARMUP = 5
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
PASSWORD = "bench-password-123"

QUERY = """query($n: String!) { account(accountNumber: $n) {
  number billingName
  properties { postcode
    electricityMeterPoints { mpan
      agreements { id validFrom validTo
        tariff { __typename ... on StandardTariff { tariffCode standingCharge unitRate } } } } }
  bills(first: 24) { edges { node { id fromDate toDate issuedDate
    ... on StatementType { totalCharges { grossTotal } } } } } } }"""

BASELINE = """
SELECT json_build_object('account', json_build_object(
  'number', a.number, 'billingName', a.billing_name,
  'properties', (SELECT json_agg(json_build_object(
      'postcode', ad.postcode,
      'electricityMeterPoints', (SELECT json_agg(json_build_object(
          'mpan', mp.identifier,
          'agreements', (SELECT json_agg(json_build_object(
              'id', ag.id, 'validFrom', ag.active_from, 'validTo', ag.active_to,
              'tariff', (SELECT json_build_object(
                  'tariffCode', t.code,
                  'standingCharge', t.standing_charge * (1 + pr.tax_rate),
                  'unitRate', (SELECT r.unit_rate * (1 + pr.tax_rate) FROM billing_tariffrate r
                               WHERE r.tariff_id = t.id AND r.band = 'STANDARD' AND r.active_from <= now()
                                 AND (r.active_to IS NULL OR now() < r.active_to) LIMIT 1))
                FROM billing_tariff t JOIN billing_product pr ON pr.id = t.product_id WHERE t.id = ag.tariff_id)
            ) ORDER BY ag.active_from, ag.id) FROM billing_agreement ag WHERE ag.meter_point_id = mp.id)
        ) ORDER BY mp.utility_type, mp.identifier) FROM metering_meterpoint mp
        WHERE mp.property_id = p.id AND mp.utility_type = 'ELECTRICITY')
    ) ORDER BY p.occupied_from, p.id) FROM accounts_property p JOIN accounts_address ad ON ad.id = p.address_id
    WHERE p.account_id = a.id),
  'bills', json_build_object('edges', (SELECT json_agg(json_build_object('node', json_build_object(
      'id', b.id, 'fromDate', b.period_start::date, 'toDate', b.period_end::date,
      'issuedDate', b.issued_at::date, 'totalCharges', json_build_object('grossTotal', b.total)))
      ORDER BY b.period_start DESC, b.id DESC)
    FROM (SELECT * FROM billing_bill WHERE account_id = a.id AND status <> 'VOID'
          ORDER BY period_start DESC, id DESC LIMIT 24) b))
))::text FROM accounts_account a WHERE a.number = %s
"""


def _month(i: int) -> dt.datetime:
    year, month = divmod(START.month - 1 + i, 12)
    return START.replace(year=START.year + year, month=month + 1)


def _seed():
    from accounts import models as accounts
    from accounts import operations
    from billing import models as billing
    from metering import models as metering

    now = timezone.now()
    user = accounts.User.objects.create_user(username="bench", email="bench@example.com", password=PASSWORD)
    account = operations.create_account(billing_name="Bench Customer", currency="GBP", created_at=now)
    accounts.AccountUserRole.objects.create(account=account, user=user)
    product = billing.Product.objects.create(
        code="BENCH-VAR",
        display_name="Bench",
        full_name="Bench Flexible",
        tax_rate=Decimal("0.05"),
        available_from=START,
    )
    tariff = billing.Tariff.objects.create(
        product=product, code="E-1R-BENCH-A", utility_type="ELECTRICITY", standing_charge=Decimal("45")
    )
    billing.TariffRate.objects.create(tariff=tariff, unit_rate=Decimal("24.5"), active_from=START)
    serial = 0
    for p in range(3):
        address = accounts.Address.objects.create(line_1=f"{p + 1} Bench Street", postcode="AB1 2CD")
        prop = accounts.Property.objects.create(account=account, address=address, occupied_from=START)
        for _ in range(2):
            serial += 1
            mp = metering.MeterPoint.objects.create(
                property=prop,
                utility_type="ELECTRICITY",
                identifier=f"{2100000000000 + serial}",
                supply_from=START,
            )
            billing.Agreement.objects.bulk_create(
                billing.Agreement(
                    account=account,
                    meter_point=mp,
                    tariff=tariff,
                    active_from=_month(i),
                    active_to=_month(i + 1),
                )
                for i in range(12)
            )
    billing.Bill.objects.bulk_create(
        billing.Bill(
            account=account,
            period_start=_month(i),
            period_end=_month(i + 1),
            currency="GBP",
            subtotal=10000,
            tax=500,
            total=10500,
            issued_at=_month(i + 1),
        )
        for i in range(24)
    )
    return account, user


CRAWL_DEPTH = 4
CRAWL_PAGE = 5


def _count_leaves(value) -> int:
    if isinstance(value, dict):
        return sum(_count_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_leaves(v) for v in value)
    return 1


def crawl_sized_query(schema, *, now: dt.datetime) -> str:
    """`account(accountNumber: $n)` with every field of the contract below it down to CRAWL_DEPTH
    object levels (a connection's edges and node are not levels), CRAWL_PAGE rows a page, every
    possible type of an interface or union spelt out: the shape of graph_crawl.py's queries, in one.
    Fields with a required argument it cannot fill (a date is 30 days back, an enum its DAY or
    first value, a time zone Europe/London) are left out."""
    from graphql import GraphQLEnumType, get_named_type, is_abstract_type, is_leaf_type, is_required_argument

    def argument(name, arg):
        named = get_named_type(arg.type)
        if named.name == "DateTime":
            return json.dumps((now - dt.timedelta(days=30)).isoformat())
        if named.name == "Date":
            return json.dumps((now - dt.timedelta(days=30)).date().isoformat())
        if isinstance(named, GraphQLEnumType):
            return "DAY" if "DAY" in named.values else next(iter(named.values))
        if name == "timezone":
            return '"Europe/London"'
        return None

    def field(owner, name, definition, level, key, fixed=None):
        named = get_named_type(definition.type)
        args = {
            a: (fixed or {}).get(a) or argument(a, arg)
            for a, arg in definition.args.items()
            if is_required_argument(arg)
        }
        if any(v is None for v in args.values()):
            return None
        if "first" in definition.args and named.name.endswith("Connection"):
            args["first"] = str(CRAWL_PAGE)
        head = (f"{key}: {name}" if key != name else name) + (
            "(" + ", ".join(f"{a}: {v}" for a, v in args.items()) + ")" if args else ""
        )
        if is_leaf_type(named):
            return head
        if level > CRAWL_DEPTH:
            return None
        if named.name.endswith("Connection") and "edges" in named.fields:
            node = get_named_type(get_named_type(named.fields["edges"].type).fields["node"].type)
            own = " ".join(n for n, d in named.fields.items() if is_leaf_type(get_named_type(d.type)))
            inner = selection(node, level)
            return f"{head} {{ {own} pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {inner} }} }} }}"
        return f"{head} {{ {selection(named, level)} }}"

    def selection(graphql_type, level):
        own = (
            getattr(graphql_type, "fields", {})
            if not is_abstract_type(graphql_type) or hasattr(graphql_type, "fields")
            else {}
        )
        parts = ["__typename"]
        parts += [s for n, d in own.items() if (s := field(graphql_type, n, d, level + 1, n))]
        for member in schema.get_possible_types(graphql_type) if is_abstract_type(graphql_type) else []:
            extra = [
                s
                for n, d in member.fields.items()
                if n not in own and (s := field(member, n, d, level + 1, f"{n}_{member.name}"))
            ]
            if extra:
                parts.append(f"... on {member.name} {{ {' '.join(extra)} }}")
        return " ".join(parts)

    account = schema.query_type.fields["account"]
    root = field(schema.query_type, "account", account, 0, "account", {"accountNumber": "$n"})
    return "query($n: String!) { " + root + " }"


def _demo_crawl(client, schema):
    """The demo data set's customer and a crawl-sized request of their account (and its query)."""
    from django.core.management import call_command

    from accounts import tokens
    from kraken import demo

    with open(os.devnull, "w") as quiet:
        call_command("load_demo_data", "--accounts", "20", stdout=quiet)
    now = timezone.now()
    token = tokens.obtain_token_with_password(
        email=demo.DEMO_CUSTOMER_EMAIL, password=demo.DEMO_CUSTOMER_PASSWORD, now=now
    ).token

    def post(query: str, variables: dict) -> dict:
        response = client.post(
            "/v1/graphql/",
            json.dumps({"query": query, "variables": variables}),
            content_type="application/json",
            HTTP_AUTHORIZATION=token,
        )
        data = response.json()
        assert "errors" not in data, data["errors"][:3]
        return data

    number = post("{ viewer { accounts { number } } }", {})["data"]["viewer"]["accounts"][0]["number"]
    query = crawl_sized_query(schema, now=now)
    return (lambda: post(query, {"n": number})), query


def main() -> None:
    from accounts import tokens
    from kraken.graphql import limits
    from kraken.graphql import schema as graphql_schema

    # Count this run's points apart from earlier runs' (the bench user's id repeats in each fresh
    # database); the requests still go through the rate limiter.
    settings.GRAPHQL_RATE_LIMIT_KEY_PREFIX = f"bench-graphql-points-{uuid.uuid4().hex}"
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "bench_kraken_graphql"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        account, user = _seed()
        token = tokens.obtain_token_with_password(
            email=user.email, password=PASSWORD, now=timezone.now()
        ).token
        client = Client()
        body = json.dumps({"query": QUERY, "variables": {"n": account.number}})

        def graphql():
            response = client.post(
                "/v1/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=token
            )
            data = response.json()
            assert "errors" not in data, data["errors"]
            return data

        def baseline():
            with connection.cursor() as cursor:
                cursor.execute(BASELINE, [account.number])
                return json.loads(cursor.fetchone()[0])

        ours, theirs = graphql()["data"]["account"], baseline()["account"]
        assert len(ours["properties"]) == len(theirs["properties"]) == 3
        assert len(ours["bills"]["edges"]) == len(theirs["bills"]["edges"]) == 24
        agreements = sum(
            len(mp["agreements"]) for p in ours["properties"] for mp in p["electricityMeterPoints"]
        )
        assert agreements == 72

        graphql_p50, baseline_p50 = timing.p50s(graphql, baseline, runs=RUNS, warmup=WARMUP)
        print(f"account graph (3 properties x 2 meter points x 12 agreements, 24 bills), p50 of {RUNS} runs")
        print(f"  GraphQL request      : {graphql_p50 * 1000:8.2f} ms")
        print(f"  json_agg SQL baseline: {baseline_p50 * 1000:8.2f} ms")
        print(f"  ratio                : {graphql_p50 / baseline_p50:8.1f}x (target <= 5x)")

        schema = graphql_schema.schema.graphql_schema
        # The crawler asks for a root's whole selection first and splits it when the limits refuse
        # it; the whole selection is measured here, so the limits are lifted for it.
        settings.GRAPHQL_MAX_COMPLEXITY = settings.GRAPHQL_MAX_NODES = 10**9
        crawl, query = _demo_crawl(client, schema)
        score = limits.measure(schema, parse(query), None, None)
        leaves = _count_leaves(crawl()["data"])
        (crawl_p50,) = timing.p50s(crawl, runs=CRAWL_RUNS, warmup=WARMUP)
        print(
            f"crawl-sized query of the demo account ({len(query):,} characters, complexity "
            f"{score.complexity}, up to {score.nodes:,} nodes; {leaves:,} values answered), p50 of {CRAWL_RUNS} runs"
        )
        print(f"  GraphQL request      : {crawl_p50 * 1000:8.2f} ms (target <= 300 ms)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
