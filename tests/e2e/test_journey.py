"""One customer's month, end to end, through the product's own doors and a real Celery worker:
imported over the Data Import API, half-hourly data recorded, register reads submitted over GraphQL,
billed by a run started from the back office, collected at the LocalPay vendor server; then the
customer graph, the CDR, the REST consumption endpoint and the admin account page all tell the
same numbers as the bill, to the penny and the kWh.

Half-hourly data has no HTTP door (smart meter data arrives from the DCC, not from a client), so it
is recorded with the metering operation every feed uses (`record_interval_readings`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import models as billing_models
from billing import operations as billing_operations
from billing import tasks as billing_tasks
from cdr import models as cdr_models
from cdr import operations as cdr_operations
from imports import operations as imports_operations
from imports.rules import checks
from kernel import clock, money
from metering import models as metering_models
from metering import operations as metering_operations
from tests.accounts.factories import UserFactory
from tests.billing.factories import ProductFactory, TariffFactory, TariffRateFactory
from tests.cdr.factories import DataRecipientFactory
from tests.celery_worker import purge_queues, running_worker, wait_for
from tests.imports import payloads
from tests.imports.factories import ImportSupplierFactory
from tests.rest import basic

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
QUEUES = [settings.BILLING_QUEUE, settings.PAYMENTS_QUEUE]
TARIFF = payloads.ELEC_TARIFF
UNIT_RATE = Decimal("24.5000")  # pence per kWh, before tax
STANDING_CHARGE = Decimal("45.0000")  # pence per day, before tax
TAX_RATE = Decimal("0.05")
FIRST_READ = 1000
MPAN = "19" + "0000012345"
SERIAL = "21E1234567"
STATEMENT = """query($n: String!, $start: DateTime!) { account(accountNumber: $n) {
  number balance
  bills(first: 5) { edges { node { __typename id fromDate toDate
    ... on StatementType { openingBalance closingBalance status paymentDueDate
      totalCharges { netTotal taxTotal grossTotal } totalCredits { netTotal taxTotal grossTotal }
      transactions(first: 10) { edges { node { __typename amounts { net tax gross } balanceCarriedForward } } }
    } } } }
  transactions(first: 10) { edges { node { __typename postedDate amounts { net tax gross }
    balanceCarriedForward billingDocumentIdentifier } } }
  payments(first: 5) { edges { node { amount status } } }
  properties { electricityMeterPoints { mpan meters { serialNumber
    consumption(startAt: $start, grouping: MONTH, timezone: "Europe/London", first: 2) {
      edges { node { value startAt } } } } } } } }"""
READ = """mutation($mpan: String, $on: Date, $readings: [ReadingInputType]) {
  createElectricityMeterReading(mpan: $mpan, readAt: $on, readings: $readings) {
    id readingErrors { field errors { ... on SerializerErrorType { message } } } } }"""
TOKEN = "mutation($key: String!) { obtainKrakenToken(input: {APIKey: $key}) { token } }"


def last_month() -> tuple[dt.date, dt.date]:
    """The first day of last month and of this month, London time: a month already over."""
    today = clock.now().astimezone(LONDON).date()
    this_month = today.replace(day=1)
    return (this_month - dt.timedelta(days=1)).replace(day=1), this_month


def half_hour_starts(first: dt.date, end: dt.date) -> list[dt.datetime]:
    moment, stop, starts = clock.midnight(first, LONDON).astimezone(dt.UTC), clock.midnight(end, LONDON), []
    while moment < stop:
        starts.append(moment)
        moment += dt.timedelta(minutes=30)
    return starts


def usage(starts: list[dt.datetime]) -> list[Decimal]:
    """A plausible day's shape in each half hour, the last one topped up to a whole-kWh month (the
    customer's register shows whole kWh)."""
    values = [Decimal("0.150") + Decimal(start.hour % 8) * Decimal("0.045") for start in starts[:-1]]
    total = sum(values)
    return [*values, (total + 1).to_integral_value(rounding="ROUND_FLOOR") - total]


class GraphQL:
    def __init__(self) -> None:
        self.client, self.token = Client(), None

    def ok(self, query: str, variables: dict) -> dict:
        headers = {"HTTP_AUTHORIZATION": self.token} if self.token else {}
        response = self.client.post(
            "/v1/graphql/",
            {"query": query, "variables": variables},
            content_type="application/json",
            **headers,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]


@pytest.fixture
def catalogue():
    product = ProductFactory(code="VAR-22-11-01", tax_rate=TAX_RATE)
    tariff = TariffFactory(product=product, code=TARIFF, standing_charge=STANDING_CHARGE)
    TariffRateFactory(tariff=tariff, unit_rate=UNIT_RATE, active_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    return tariff


@pytest.fixture
def import_api(catalogue):
    supplier = ImportSupplierFactory(code="EDF")
    _, key = imports_operations.create_api_key(supplier=supplier, name="migration team")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def worker(tmp_path, localpay_server):
    purge_queues(QUEUES)
    localpay_server.reset()
    env = {"LOCALPAY_URL": localpay_server.url, "PAYMENT_VENDOR_STAND_INS": "STRIPE=localpay"}
    with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=env) as process:
        yield process


def import_account(api, *, supplied_from: dt.date) -> str:
    payload = payloads.gb_account(transfer_balance="0.00", current_statement_transactions=[])
    payload["last_statement_closing_date"] = (supplied_from - dt.timedelta(days=1)).isoformat()
    supply = payload["supply_addresses"][0]
    supply["customer_at_supply_address_from_date"] = "2019-01-01"
    electricity = supply["meter_points"][0]
    electricity.update(
        identifier=MPAN + checks.mpan_check_digit(MPAN),
        last_billed_to_date=(supplied_from - dt.timedelta(days=1)).isoformat(),
    )
    meter = electricity["meters"][0]
    meter.update(meter_serial_number=SERIAL, smart_type="SMETS2")
    meter["transfer_readings"][0].update(
        reading_date=electricity["last_billed_to_date"], reading_value=f"{FIRST_READ - 100}.00"
    )
    supply["meter_points"] = [electricity]
    staged = api.post("/v1/data-import/account-import-process/create-or-update/", payload, format="json")
    assert staged.status_code == 201, staged.json()
    processed = api.post(
        "/v1/data-import/account-import-process/process/",
        {
            "import_supplier_code": "EDF",
            "external_account_number": payload["external_account_number"],
            "operations_team_name": "Migration",
        },
        format="json",
    )
    assert processed.status_code == 201, processed.json()
    return processed.json()["account_number"]


def bill_from_the_back_office(account_number: str, first: dt.date, end: dt.date) -> billing_models.BillingRun:
    ops = Client()
    ops.force_login(UserFactory(is_staff=True, is_superuser=True))
    created = ops.post(
        "/admin/billing/billingrun/add/",
        {
            "first_day": first.isoformat(),
            "last_day": (end - dt.timedelta(days=1)).isoformat(),
            "account_numbers": account_number,
            "chunk_size": 10,
            "_save": "Save",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    run = billing_models.BillingRun.objects.get()
    assert ops.post(f"/admin/billing/billingrun/{run.pk}/start/").status_code == 302
    return run


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    assert match, element_id
    return html.unescape(re.sub(r"\s+", " ", match.group(1))).strip()


class TestOneCustomersMonth:
    def test_import_read_bill_collect_and_every_door_tells_the_same_numbers(
        self, import_api, worker, localpay_server
    ):
        first, end = last_month()
        account_number = import_account(import_api, supplied_from=first - dt.timedelta(days=30))
        account = accounts_models.Account.objects.get(number=account_number)
        user = account.user_roles.get().user

        # The customer signs in with the API key from their dashboard.
        key = accounts_operations.regenerate_api_key(user=user, now=clock.now())
        graph = GraphQL()
        graph.token = graph.ok(TOKEN, {"key": key})["obtainKrakenToken"]["token"]

        meter = metering_models.Meter.objects.get(serial_number=SERIAL)
        starts = half_hour_starts(first, end)
        values = usage(starts)
        metering_operations.record_interval_readings(
            meter=meter,
            values=[metering_operations.IntervalValue(s, v) for s, v in zip(starts, values, strict=True)],
            source=metering_models.ReadingSource.SMART,
            recorded_at=clock.midnight(end, LONDON),
        )
        kwh = sum(values)
        assert kwh == kwh.to_integral_value()
        for on, reading in ((first, FIRST_READ), (end, FIRST_READ + int(kwh))):
            submitted = graph.ok(
                READ,
                {
                    "mpan": MPAN + checks.mpan_check_digit(MPAN),
                    "on": on.isoformat(),
                    "readings": [{"registerId": "1", "reading": reading}],
                },
            )["createElectricityMeterReading"]
            assert submitted["readingErrors"] == [] and submitted["id"], submitted

        run = bill_from_the_back_office(account_number, first, end)
        wait_for(
            lambda: _status(run) in {"COMPLETED", "COMPLETED_WITH_ERRORS"}, timeout=60, message="the run"
        )
        assert _status(run) == "COMPLETED", worker.log()[-3000:]
        [bill] = billing_models.Bill.objects.filter(account=account)

        days = (end - first).days
        net = (kwh * UNIT_RATE).quantize(Decimal(1), ROUND_HALF_UP) + (days * STANDING_CHARGE).quantize(
            Decimal(1), ROUND_HALF_UP
        )
        expected_tax = (net * TAX_RATE).quantize(Decimal(1), ROUND_HALF_UP)
        assert (bill.subtotal, bill.tax, bill.total) == (net, expected_tax, net + expected_tax)
        billed_kwh = sum(
            line.quantity for line in bill.lines.all() if line.kind == billing_models.BillLineKind.CONSUMPTION
        )
        assert billed_kwh == kwh

        billing_tasks.collect_due_payments.apply_async()
        payments = billing_models.Payment.objects.filter(bill=bill)
        wait_for(payments.exists, timeout=30, message="the payment")
        [payment] = payments
        assert payment.amount == bill.total
        [charge] = localpay_server.charges()
        assert charge["amount"] == bill.total
        credits = accounts_models.LedgerEntry.objects.filter(
            ledger__account=account, kind=accounts_models.LedgerEntryKind.PAYMENT
        )
        assert [entry.amount for entry in credits] == [bill.total]
        assert accounts_models.LedgerEntry.objects.filter(ledger__account=account).balance() == 0

        # The customer graph.
        data = graph.ok(
            STATEMENT,
            {"n": account_number, "start": clock.midnight(first, LONDON).isoformat()},
        )["account"]
        assert data["balance"] == 0
        [statement] = [edge["node"] for edge in data["bills"]["edges"]]
        assert statement["__typename"] == "StatementType"
        assert (statement["fromDate"], statement["toDate"]) == (first.isoformat(), end.isoformat())
        assert statement["totalCharges"] == {
            "netTotal": bill.subtotal,
            "taxTotal": bill.tax,
            "grossTotal": bill.total,
        }
        # The statement closes at the bill's charge; the payment collected after it is the next one's.
        assert (statement["openingBalance"], statement["closingBalance"]) == (0, -bill.total)
        assert statement["status"] == "CLOSED"
        assert (
            statement["paymentDueDate"]
            == (
                bill.issued_at.astimezone(LONDON).date()
                + dt.timedelta(days=billing_operations.PAYMENT_TERMS_DAYS)
            ).isoformat()
        )
        assert statement["totalCredits"] == {"netTotal": 0, "taxTotal": 0, "grossTotal": 0}
        assert [edge["node"] for edge in statement["transactions"]["edges"]] == [
            {
                "__typename": "Charge",
                "amounts": {"net": bill.subtotal, "tax": bill.tax, "gross": bill.total},
                "balanceCarriedForward": -bill.total,
            }
        ]
        transactions = {edge["node"]["__typename"]: edge["node"] for edge in data["transactions"]["edges"]}
        assert transactions["Charge"]["amounts"] == {
            "net": bill.subtotal,
            "tax": bill.tax,
            "gross": bill.total,
        }
        assert transactions["Charge"]["billingDocumentIdentifier"] == bill.number
        assert transactions["Payment"]["amounts"]["gross"] == bill.total
        assert transactions["Payment"]["balanceCarriedForward"] == 0
        assert [edge["node"] for edge in data["payments"]["edges"]] == [
            {"amount": bill.total, "status": "CLEARED"}
        ]
        [point] = data["properties"][0]["electricityMeterPoints"]
        [month] = [edge["node"] for edge in point["meters"][0]["consumption"]["edges"]]
        assert Decimal(str(month["value"])) == kwh

        # REST v1 consumption, with the customer's key.
        rest = Client().get(
            f"/v1/electricity-meter-points/{point['mpan']}/meters/{SERIAL}/consumption/",
            {
                "period_from": clock.midnight(first, LONDON).isoformat(),
                "period_to": clock.midnight(end, LONDON).isoformat(),
                "group_by": "month",
            },
            **basic(key),
        )
        assert rest.status_code == 200, rest.content
        [rest_month] = rest.json()["results"]
        assert Decimal(str(rest_month["consumption"])) == kwh

        # The CDR: a recipient the customer consented to sees the account and its direct debit. The
        # CDR serves Australian plans only, so a GB account shows none, and it has no balance door.
        consent = cdr_operations.grant_consent(
            recipient=DataRecipientFactory(),
            customer=user,
            accounts=[account],
            scopes=[
                cdr_models.Scope.ENERGY_ACCOUNTS_BASIC_READ,
                cdr_models.Scope.ENERGY_ACCOUNTS_DETAIL_READ,
            ],
            granted_at=clock.now() - dt.timedelta(minutes=5),
            expires_at=clock.now() + dt.timedelta(days=1),
        )
        cds_token = cdr_operations.issue_access_token(
            consent=consent, issued_at=clock.now(), expires_at=clock.now() + dt.timedelta(hours=1)
        ).raw
        cds_headers = {
            "x-v": "2",
            "x-fapi-auth-date": "Thu, 12 Jun 2025 08:30:00 GMT",
            "Authorization": f"Bearer {cds_token}",
        }
        listed = Client().get("/cds-au/v1/energy/accounts", headers=cds_headers)
        assert listed.status_code == 200, listed.content
        [cdr_account] = listed.json()["data"]["accounts"]
        detail = Client().get(f"/cds-au/v1/energy/accounts/{cdr_account['accountId']}", headers=cds_headers)
        assert detail.status_code == 200, detail.content
        assert detail.json()["data"]["displayName"] == account.billing_name
        assert detail.json()["data"]["plans"] == []

        # The back office's account page.
        ops = Client()
        ops.force_login(UserFactory(is_staff=True, is_superuser=True))
        page = ops.get(f"/admin/accounts/account/{account.pk}/change/").content.decode()
        assert text_of(page, "balance-headline") == "Settled"
        pounds = money.format_amount(minor_units=bill.total, currency="GBP")
        ledger = html.unescape(page[page.index('id="ledger"') :])
        assert bill.number in ledger and ledger.count(pounds) >= 2  # the charge and the payment


def _status(run) -> str:
    run.refresh_from_db()
    return run.status
