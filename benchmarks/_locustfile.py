"""The client mix of `bench_load`, run by locust in a process of its own (no Django here).

Each simulated client is one customer polling like the public apps do (Home Assistant's
integration, marco-sparko, OctoMeter): the account with its agreements and meters, the latest bills
with their totals, the smart-charging dispatches (GraphQL, with a Kraken token obtained from the
customer's API key beforehand), a week of half-hourly consumption (REST v1, Basic auth with the
key), and a CDR data recipient reading an account's detail. The customers, keys and CDR token come
from the JSON file named by BENCH_LOAD_CLIENTS. `BaselineClient` asks only `/healthz/` (one
`SELECT 1`): the server's ceiling under the same load.

The clients are locust's FastHttpUser (geventhttpclient), which locust documents as several times
cheaper per request than its requests-based HttpUser: the load generator shares the 2 cores with
the server, so every cycle it spends is one the server's tail waits for.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, task

with open(os.environ["BENCH_LOAD_CLIENTS"]) as file:
    CLIENTS = json.load(file)
_next_customer = itertools.count()
PAUSE_SECONDS = (0.5, 1.5)


def _arrive() -> None:
    """Wait a random part of one pause before the first request. Locust starts every client in
    the same instant, so without this all 50 first requests arrive together, a burst no polling
    app makes, whose queue (50 GraphQL requests on two cores) was the whole measured p99."""
    gevent.sleep(random.uniform(0, PAUSE_SECONDS[1]))


ACCOUNT = """query($account: String!) {
  properties(accountNumber: $account) { id occupancyPeriods { effectiveTo } }
  account(accountNumber: $account) {
    electricityAgreements(active: true) { meterPoint { mpan
      meters(includeInactive: false) { activeFrom activeTo serialNumber meterType
        smartImportElectricityMeter { deviceId manufacturer model firmwareVersion } }
      agreements(includeInactive: true) { validFrom validTo
        tariff { ... on TariffType { productCode tariffCode } } } } }
    gasAgreements(active: true) { meterPoint { mprn
      meters(includeInactive: false) { activeFrom activeTo serialNumber consumptionUnits }
      agreements(includeInactive: true) { validFrom validTo
        tariff { ... on TariffType { tariffCode productCode } } } } } } }"""
BILLS = """query($accountNumber: String!, $last: Int) {
  account(accountNumber: $accountNumber) { bills(last: $last) {
    pageInfo { startCursor hasPreviousPage }
    edges { cursor node { id billType fromDate toDate issuedDate
      ... on StatementType { closingBalance openingBalance paymentDueDate
        totalCharges { netTotal taxTotal grossTotal } totalCredits { netTotal taxTotal grossTotal } } } } } } }"""
DISPATCHES = """query($account: String!) {
  devices(accountNumber: $account) { id status { currentState } }
  completedDispatches(accountNumber: $account) { start end delta meta { source location } } }"""


class CustomerClient(FastHttpUser):
    wait_time = between(*PAUSE_SECONDS)

    def on_start(self):
        _arrive()
        self.customer = CLIENTS["customers"][next(_next_customer) % len(CLIENTS["customers"])]
        self.token = self.customer["token"]

    def _graphql(self, name: str, query: str, variables: dict) -> None:
        with self.client.post(
            "/v1/graphql/",
            json={"query": query, "variables": variables},
            headers={"Authorization": self.token},
            name=f"graphql {name}",
            catch_response=True,
        ) as response:
            body = response.json() if response.status_code == 200 else {}
            if response.status_code != 200 or body.get("errors"):
                response.failure(f"{response.status_code} {str(body.get('errors'))[:200]}")

    @task(3)
    def account(self):
        self._graphql("account", ACCOUNT, {"account": self.customer["number"]})

    @task(2)
    def bills(self):
        self._graphql("bills", BILLS, {"accountNumber": self.customer["number"], "last": 12})

    @task(2)
    def dispatches(self):
        self._graphql("dispatches", DISPATCHES, {"account": self.customer["number"]})

    @task(2)
    def consumption(self):
        mpan, serial = self.customer["mpan"], self.customer["serial"]
        query = urlencode(
            {"period_from": CLIENTS["week_from"], "period_to": CLIENTS["week_to"], "page_size": 336}
        )
        self.client.get(
            f"/v1/electricity-meter-points/{mpan}/meters/{serial}/consumption/?{query}",
            auth=(self.customer["key"], ""),
            name="rest consumption",
        )

    @task(1)
    def cdr_account_detail(self):
        headers = {
            "Authorization": f"Bearer {CLIENTS['cdr_token']}",
            "x-v": "4",
            "x-fapi-auth-date": "Thu, 12 Jun 2025 08:30:00 GMT",
        }
        account_id = random.choice(CLIENTS["cdr_account_ids"])
        self.client.get(
            f"/cds-au/v1/energy/accounts/{account_id}", headers=headers, name="cdr account detail"
        )


class BaselineClient(FastHttpUser):
    wait_time = between(*PAUSE_SECONDS)

    def on_start(self):
        _arrive()

    @task
    def health(self):
        self.client.get("/healthz/", name="healthz")
