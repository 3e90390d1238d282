"""Customer GraphQL: p50 latency of the account-graph query against a hand-written single-SQL
`json_agg` baseline returning the same data, measured in the same run.

The account has 3 properties x 2 meter points x 12 agreements (monthly, on a tariff with a rate)
and 24 bills. The GraphQL figure is the whole request through Django's test client (view,
authentication, validation, limits, execution, dataloaders, JSON); the baseline is one SQL
statement building the same JSON in PostgreSQL. Runs in its own database, `bench_kraken_graphql`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from benchmarks import timing

RUNS = 100
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


def main() -> None:
    from accounts import tokens

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
        print(f"  ratio                : {graphql_p50 / baseline_p50:8.1f}x (target <= 10x)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
