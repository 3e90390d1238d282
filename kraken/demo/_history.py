"""The demo's past, replayed in order through the product's operations: customers join through
the Data Import API's operation (and their meters start sending data), monthly billing runs bill
them on the real calculation, direct debits are collected at the local payment server two weeks
later (one declined and presented again, one retried after a vendor outage), a customer moves out,
another's account goes dormant. Every ledger entry is one the engine wrote."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from accounts import models as accounts
from accounts import operations as accounts_operations
from billing import models as billing
from billing import operations as billing_operations
from billing import vendors
from imports import models as imports
from imports import operations as import_operations
from imports import queries as import_queries
from kernel import ranges
from kraken.demo import _constants as c
from kraken.demo import _population as p
from kraken.demo import _readings

ISSUE_DELAY = timedelta(days=1, hours=6)
COLLECTION_DELAY = timedelta(days=14, hours=3)


@dataclass
class Tally:
    accounts: int = 0
    half_hours: int = 0
    readings: int = 0
    bills: int = 0
    payments: int = 0


class History:
    def __init__(
        self,
        *,
        now: datetime,
        tz: ZoneInfo,
        rng: random.Random,
        plans: list[p.Plan],
        supplier,
        localpay_url: str,
    ):
        self.now = now
        self.tz = tz
        self.rng = rng
        self.plans = plans
        self.supplier = supplier
        self.localpay_url = localpay_url
        self.meter_data = _readings.MeterData(now=now, tz=tz, rng=rng, sessions=c.saving_session_starts(now))
        self.account_ids: dict[int, int] = {}
        self.numbers: list[str] = []
        self.tally = Tally()

    def replay(self) -> Tally:
        events = []
        for joined in sorted({plan.joined for plan in self.plans}):
            events.append(
                (joined + timedelta(hours=9), 0, self._join, [pl for pl in self.plans if pl.joined == joined])
            )
        for plan in self.plans:
            if plan.moved_out is not None:
                events.append((plan.moved_out + timedelta(hours=10), 1, self._move_out, plan))
        for months_back in range(c.MONTHS_OF_HISTORY, 0, -1):
            start = c.month_start(self.now, months_back, self.tz)
            end = c.month_start(self.now, months_back - 1, self.tz)
            events.append((end + ISSUE_DELAY, 2, self._bill, ranges.Period(start, end)))
        for moment, _order, action, argument in sorted(events, key=lambda event: (event[0], event[1])):
            if moment <= self.now:
                action(argument, moment)
        return self.tally

    # --- joining ---------------------------------------------------------------------------------

    def _join(self, plans: list[p.Plan], at: datetime) -> None:
        outcomes = import_operations.import_accounts(
            supplier=self.supplier,
            payloads=[p.payload(plan) for plan in plans],
            now=at,
            catalogue=import_queries.build_catalogue(),
        )
        refused = [outcome for outcome in outcomes if outcome.status != import_operations.IMPORTED]
        if refused:
            raise RuntimeError(f"The demo payloads were refused: {refused[:3]}")
        imported = dict(
            imports.AccountImportProcess.objects.filter(
                supplier=self.supplier, external_account_number__in=[plan.external for plan in plans]
            ).values_list("external_account_number", "account_id")
        )
        properties = dict(
            accounts.Property.objects.filter(account_id__in=imported.values()).values_list("account_id", "id")
        )
        meters = _readings.meters_of(plans=plans)
        _readings.record_industry_details(plans=plans, meters=meters, now=at)
        for plan in plans:
            account_id = imported[plan.external]
            self.account_ids[plan.index] = account_id
            self.meter_data.add(
                plan=plan,
                meters=meters[plan.index],
                account_id=account_id,
                property_id=properties[account_id],
            )
        half_hours, readings = self.meter_data.write()
        self.tally.half_hours += half_hours
        self.tally.readings += readings
        self.numbers.extend(
            accounts.Account.objects.filter(pk__in=[imported[plan.external] for plan in plans]).values_list(
                "number", flat=True
            )
        )
        self.tally.accounts += len(plans)
        if any(plan.index == 0 for plan in plans):
            user = accounts.User.objects.get(email=c.DEMO_CUSTOMER_EMAIL)
            user.set_password(c.DEMO_CUSTOMER_PASSWORD)
            user.save(update_fields=["password"])

    def _move_out(self, plan: p.Plan, at: datetime) -> None:
        account = accounts.Account.objects.get(pk=self.account_ids[plan.index])
        billing_operations.move_out(account=account, at=plan.moved_out, now=at)

    # --- billing and collecting ------------------------------------------------------------------

    def _bill(self, period: ranges.Period, at: datetime) -> None:
        run = billing_operations.create_billing_run(
            period=period,
            created_at=at,
            scope={"account_numbers": list(self.numbers)},
            origin=billing.BillingRunOrigin.SCHEDULE,
        )
        for chunk in billing_operations.start_billing_run(billing_run_id=run.pk, now=at):
            billing_operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=at)
        bills = dict(billing.Bill.objects.filter(billing_run=run).values_list("account_id", "id"))
        self.tally.bills += len(bills)
        collect_at = at + COLLECTION_DELAY
        if collect_at <= self.now:
            self._collect(bills=bills, at=collect_at, month=self._month_index(period))
        self._go_dormant(period=period, at=collect_at + timedelta(days=1))

    def _collect(self, *, bills: dict[int, int], at: datetime, month: int) -> None:
        by_plan = {plan.index: plan for plan in self.plans}
        special = {}
        for index, account_id in self.account_ids.items():
            plan = by_plan[index]
            if account_id in bills and month in (plan.declined_month, plan.vendor_outage_month):
                special[account_id] = plan
        payers = set(
            accounts.PaymentMethod.objects.filter(
                account_id__in=bills, status=accounts.PaymentMethodStatus.ACTIVE
            ).values_list("account_id", flat=True)
        )
        routine = [bills[account_id] for account_id in sorted(payers - set(special))]
        outcomes = billing_operations.collect_bill_payments(bill_ids=routine, now=at)
        self.tally.payments += sum(1 for outcome in outcomes if outcome.error is None)
        for account_id, plan in special.items():
            # A declined direct debit is presented again five days later; a collection the vendor
            # could not take (503) is retried two hours later with the same idempotency key.
            declined = plan.declined_month == month
            self._behave("decline" if declined else "fail")
            outcome = billing_operations.collect_bill_payments(bill_ids=[bills[account_id]], now=at)[0]
            assert isinstance(outcome.error, billing_operations.PaymentDeclined | vendors.VendorUnavailable)
            billing_operations.collect_bill_payments(
                bill_ids=[bills[account_id]],
                now=at + (timedelta(days=5) if declined else timedelta(hours=2)),
                representation=declined,
            )
            self.tally.payments += 1

    def _go_dormant(self, *, period: ranges.Period, at: datetime) -> None:
        """An account whose supply ended in this period, paid up, goes dormant after its final bill."""
        for plan in self.plans:
            if plan.dormant and plan.moved_out is not None and plan.moved_out in period and at <= self.now:
                account = accounts.Account.objects.get(pk=self.account_ids[plan.index])
                accounts_operations.change_account_status(
                    account=account,
                    status=accounts.AccountStatus.DORMANT,
                    reason="Moved out; final bill collected, credit held for the customer",
                    changed_at=at,
                )

    def _behave(self, mode: str) -> None:
        requests.post(f"{self.localpay_url}/_control/behaviour", json={"mode": mode, "count": 1}, timeout=5)

    def _month_index(self, period: ranges.Period) -> int:
        first = c.month_start(self.now, c.MONTHS_OF_HISTORY, self.tz)
        local = period.start.astimezone(self.tz)
        return (local.year - first.year) * 12 + local.month - first.month
