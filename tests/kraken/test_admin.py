"""The back office: constant-query lists, search by every identifier, the account overview, the index
arranged by ops tasks, and read-only records."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import models as account_models
from tests.accounts.factories import (
    EPOCH,
    AccountFactory,
    AccountUserRoleFactory,
    AddressFactory,
    LedgerEntryFactory,
    PropertyFactory,
)
from tests.billing.factories import AgreementFactory, BillFactory
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.metering.factories import MeterPointFactory, ReadingFactory, RegisterFactory


def _accounts(count):
    for index in range(count):
        account = AccountFactory()
        LedgerEntryFactory(ledger=account.ledgers.get(), amount=-100 - index)


def _ledger_entries(count):
    ledger = AccountFactory().ledgers.get()
    for index in range(count):
        LedgerEntryFactory(ledger=ledger, reference=f"E-{index}-{ledger.pk}")


def _bills(count):
    account = AccountFactory()
    for index in range(count):
        BillFactory(
            account=account,
            period_start=EPOCH + dt.timedelta(days=index),
            period_end=EPOCH + dt.timedelta(days=index + 1),
        )


def _payments(count):
    from billing import models as billing_models

    account = AccountFactory()
    billing_models.Payment.objects.bulk_create(
        [
            billing_models.Payment(
                account=account, amount=1000 + i, currency="GBP", idempotency_key=f"P-{account.pk}-{i}"
            )
            for i in range(count)
        ]
    )


def _readings(count):
    register = RegisterFactory()
    for index in range(count):
        ReadingFactory(register=register, read_at=EPOCH + dt.timedelta(days=index), value=1000 + index)


def _agreements(count):
    for _ in range(count):
        AgreementFactory()


def _devices(count):
    for _ in range(count):
        DeviceFactory()


CHANGELISTS = {
    "admin:accounts_account_changelist": _accounts,
    "admin:accounts_ledgerentry_changelist": _ledger_entries,
    "admin:billing_bill_changelist": _bills,
    "admin:billing_payment_changelist": _payments,
    "admin:metering_reading_changelist": _readings,
    "admin:billing_agreement_changelist": _agreements,
    "admin:devices_device_changelist": _devices,
}


def _query_count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
class TestChangelistPages:
    @pytest.mark.parametrize("url_name", list(CHANGELISTS))
    def test_run_the_same_number_of_queries_for_5_and_200_rows(self, staff_client, url_name):
        url = reverse(url_name)
        CHANGELISTS[url_name](5)
        small = _query_count(staff_client, url)

        CHANGELISTS[url_name](195)
        large = _query_count(staff_client, url)

        assert large == small, url_name

    def test_account_list_shows_balances_in_pounds_and_pence(self, staff_client):
        account = AccountFactory()
        LedgerEntryFactory(ledger=account.ledgers.get(), amount=-123456)

        response = staff_client.get(reverse("admin:accounts_account_changelist"), {"q": account.number})

        assert "−£1,234.56" in response.content.decode()


def _dual_fuel_account(*, entries: int):
    """Two properties, an electricity and a gas meter point each, and `entries` ledger entries."""
    account = AccountFactory(billing_name="Grace Baxter", billing_address=AddressFactory(postcode="SW1A 1AA"))
    for _ in range(2):
        prop = PropertyFactory(account=account, address=AddressFactory(postcode="SW1A 1AA"))
        MeterPointFactory(property=prop)
        MeterPointFactory(property=prop, utility_type="GAS", identifier=f"{9000000 + prop.pk}")
    AccountUserRoleFactory(account=account, user__email="dual@example.org", user__mobile="+44 7700 900123")
    ledger = account.ledgers.get()
    for index in range(entries):
        LedgerEntryFactory(ledger=ledger, amount=-(index + 1), reference=f"D-{index}")
    return account


@pytest.mark.django_db
class TestAccountSearch:
    def _found(self, client, term, **extra):
        response = client.get(reverse("admin:accounts_account_changelist"), {"q": term, **extra})
        return response, list(response.context["cl"].result_list)

    def test_finds_an_account_by_each_identifier(self, staff_client):
        wanted = _dual_fuel_account(entries=1)
        mpan = wanted.properties.first().meter_points.get(utility_type="ELECTRICITY").identifier
        mprn = wanted.properties.first().meter_points.get(utility_type="GAS").identifier
        AccountFactory(billing_name="Someone Else")

        for term in (
            wanted.number,
            wanted.number.lower(),
            "DUAL@example.org",
            mpan,
            mprn,
            "sw1a1aa",
            "07700 900123",
            "Baxter",
            "race bax",
        ):
            _, found = self._found(staff_client, term)

            assert found == [wanted], term

    def test_shows_a_dual_fuel_balance_once_whatever_the_joins(self, staff_client):
        account = _dual_fuel_account(entries=30)
        expected = -sum(range(1, 31))

        for term in (account.number, "SW1A 1AA", "dual@example.org"):
            _, found = self._found(staff_client, term)

            assert [a.balance for a in found] == [expected], term

    def test_opens_the_account_from_the_header_search_when_one_matches(self, staff_client):
        account = AccountFactory()

        response = staff_client.get(
            reverse("admin:accounts_account_changelist"), {"q": account.number, "go": "1"}
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("admin:accounts_account_change", args=[account.pk])

    def test_offers_the_search_box_on_every_admin_page(self, staff_client):
        for url in (reverse("admin:index"), reverse("admin:billing_bill_changelist")):
            assert 'id="ops-search"' in staff_client.get(url).content.decode()

    def test_autocompletes_accounts_by_number(self, staff_client):
        account = AccountFactory()
        AccountFactory()

        response = staff_client.get(
            reverse("admin:autocomplete"),
            {
                "term": account.number,
                "app_label": "billing",
                "model_name": "agreement",
                "field_name": "account",
            },
        )

        assert [row["text"] for row in response.json()["results"]] == [account.number]


def _busy_account(*, size: int):
    account = AccountFactory()
    agreement = AgreementFactory(account=account)
    register = RegisterFactory(meter__meter_point=agreement.meter_point)
    ledger = account.ledgers.get()
    for index in range(size):
        LedgerEntryFactory(ledger=ledger, amount=-(index + 1), reference=f"B-{index}")
        BillFactory(
            account=account,
            period_start=EPOCH + dt.timedelta(days=index),
            period_end=EPOCH + dt.timedelta(days=index + 1),
        )
        ReadingFactory(register=register, read_at=EPOCH + dt.timedelta(days=index), value=1000 + 10 * index)
        DispatchFactory(device=DeviceFactory(account=account), start_at=EPOCH + dt.timedelta(hours=index))
        account_models.AccountNote.objects.create(account=account, body=f"Note {index}")
    return account


@pytest.mark.django_db
class TestAccountOverview:
    def test_shows_every_section_of_the_account(self, staff_client):
        account = _busy_account(size=3)
        bill = account.bills.order_by("period_start").first()

        content = staff_client.get(
            reverse("admin:accounts_account_change", args=[account.pk])
        ).content.decode()

        assert "in debt" in content and "−£0.06" in content  # 1p + 2p + 3p owed
        assert bill.number in content and "1 Jan 2024" in content
        for section in (
            "ledger",
            "bills",
            "payments",
            "agreements",
            "meter-points",
            "devices",
            "notes",
            "audit-trail",
        ):
            assert f'id="{section}"' in content, section
        assert 'class="ops-chart"' in content
        assert account.agreements.get().tariff.code in content
        for action in ("adjust", "status", "preview", "bill", "collect", "note"):
            assert f'id="action-{action}"' in content, action

    def test_runs_the_same_number_of_queries_for_a_small_and_a_busy_account(self, staff_client):
        small = _busy_account(size=2)
        busy = _busy_account(size=12)

        counts = [
            _query_count(staff_client, reverse("admin:accounts_account_change", args=[account.pk]))
            for account in (small, busy)
        ]

        assert counts[0] == counts[1]

    def test_never_changes_status_through_the_plain_form(self, staff_client):
        account = AccountFactory()
        url = reverse("admin:accounts_account_change", args=[account.pk])

        staff_client.post(
            url,
            {
                "billing_name": "Renamed",
                "account_type": account.account_type,
                "status": "VOID",
                "user_roles-TOTAL_FORMS": "0",
                "user_roles-INITIAL_FORMS": "0",
                "properties-TOTAL_FORMS": "0",
                "properties-INITIAL_FORMS": "0",
                "payment_methods-TOTAL_FORMS": "0",
                "payment_methods-INITIAL_FORMS": "0",
                "agreements-TOTAL_FORMS": "0",
                "agreements-INITIAL_FORMS": "0",
            },
        )

        account.refresh_from_db()
        assert account.billing_name == "Renamed"
        assert account.status == "ACTIVE"


@pytest.mark.django_db
class TestAdminIndex:
    def test_is_arranged_by_ops_tasks_with_developer_tables_last(self, staff_client):
        response = staff_client.get(reverse("admin:index"))

        sections = [app["name"] for app in response.context["app_list"]]
        assert sections[:7] == ["Customers", "Billing", "Payments", "Imports", "Devices", "CDR", "Settings"]
        assert sections[-1] == "Developer tables"
        customers = [m["object_name"] for m in response.context["app_list"][0]["models"]]
        assert customers[0] == "Account"


@pytest.mark.django_db
class TestReadOnlyRecords:
    def test_offer_no_add_change_or_delete(self, staff_client):
        entry = LedgerEntryFactory()
        audit = account_models.AuditEntry.objects.create(
            action="X", object_type="Y", object_id="1", occurred_at=EPOCH
        )

        for model, obj in (("ledgerentry", entry), ("auditentry", audit)):
            add = staff_client.get(reverse(f"admin:accounts_{model}_add"))
            change = staff_client.post(
                reverse(f"admin:accounts_{model}_change", args=[obj.pk]), {"amount": "1"}
            )
            delete = staff_client.post(
                reverse(f"admin:accounts_{model}_delete", args=[obj.pk]), {"post": "yes"}
            )

            assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403), model
        entry.refresh_from_db()
        assert entry.amount == -1000


@pytest.mark.django_db
class TestPreviewBillAction:
    def test_opens_the_preview_for_one_account(self, staff_client):
        account = AccountFactory()

        response = staff_client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "preview_bill", "_selected_action": [account.pk]},
        )

        assert response.status_code == 302
        assert (
            response["Location"] == f"{reverse('admin:billing_bill_preview')}?account_number={account.number}"
        )

    def test_asks_for_exactly_one_account(self, staff_client):
        accounts = [AccountFactory(), AccountFactory()]

        response = staff_client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "preview_bill", "_selected_action": [account.pk for account in accounts]},
            follow=True,
        )

        assert "Select exactly one account" in response.content.decode()
