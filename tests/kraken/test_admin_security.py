"""Security of the back office: every action checked against the staff groups, CSRF on every form,
login lockout after repeated failures, sessions that expire."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts import models as account_models
from tests.accounts.factories import AccountFactory, UserFactory
from tests.billing.factories import BillFactory, BillingRunFactory

ACCOUNT_ACTIONS = ["adjust", "status", "note", "bill", "collect"]


@pytest.fixture
def bare_staff_client(db):
    """Staff, but in no group: may log in to the admin and do nothing."""
    user = UserFactory(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestPermissions:
    @pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
    def test_staff_without_a_group_may_not_open_an_account_action(self, bare_staff_client, action):
        account = AccountFactory()

        response = bare_staff_client.get(reverse(f"admin:accounts_account_{action}", args=[account.pk]))

        assert response.status_code == 403

    @pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
    def test_an_ops_agent_may_use_every_account_action(self, agent_client, action):
        account = BillFactory().account

        response = agent_client.get(reverse(f"admin:accounts_account_{action}", args=[account.pk]))

        assert response.status_code == 200

    def test_an_agent_sees_the_account_page_with_its_buttons(self, agent_client):
        account = AccountFactory()

        content = agent_client.get(
            reverse("admin:accounts_account_change", args=[account.pk])
        ).content.decode()

        assert 'id="action-adjust"' in content

    def test_refuses_a_bulk_action_the_user_may_not_take(self, bare_staff_client, django_user_model):
        account = AccountFactory()

        response = bare_staff_client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "post_adjustment", "_selected_action": [account.pk], "confirmed": "yes"},
        )

        assert response.status_code == 403
        assert not account_models.LedgerAdjustment.objects.exists()

    def test_only_a_lead_may_start_a_billing_run(self, agent_client, lead_client):
        run = BillingRunFactory()
        url = reverse("admin:billing_billingrun_start", args=[run.pk])

        refused = agent_client.post(url)
        started = lead_client.post(url)

        assert (refused.status_code, started.status_code) == (403, 302)

    def test_the_migration_makes_the_three_groups_and_can_run_again(self):
        from django.contrib.auth.models import Group
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        migration = MigrationExecutor(connection).loader.get_migration("kraken", "0001_staff_groups")
        state = MigrationExecutor(connection).loader.project_state(("kraken", "0001_staff_groups"))
        create_groups = migration.operations[0].code

        create_groups(state.apps, None)
        create_groups(state.apps, None)

        groups = {g.name: g for g in Group.objects.filter(name__in=["Ops agent", "Ops lead", "Admin"])}
        assert set(groups) == {"Ops agent", "Ops lead", "Admin"}
        agent = {p.codename for p in groups["Ops agent"].permissions.all()}
        lead = {p.codename for p in groups["Ops lead"].permissions.all()}
        assert "add_ledgeradjustment" in agent and "approve_ledgeradjustment" not in agent
        assert agent < lead and "approve_ledgeradjustment" in lead and "start_billingrun" in lead


@pytest.mark.django_db
class TestCsrf:
    def test_refuses_a_money_form_without_its_csrf_token(self, django_user_model):
        user = UserFactory(is_staff=True, is_superuser=True)
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        account = AccountFactory()

        response = client.post(
            reverse("admin:accounts_account_adjust", args=[account.pk]),
            {
                "direction": "CREDIT",
                "amount": "5.00",
                "currency": "GBP",
                "description": "x",
                "idempotency_key": uuid.uuid4().hex,
            },
        )

        assert response.status_code == 403
        assert not account_models.LedgerAdjustment.objects.exists()


@pytest.mark.django_db
class TestLoginLockout:
    def _login(self, client, username, password):
        return client.post(
            reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
        )

    def test_locks_a_username_out_after_repeated_failures_even_with_the_right_password(self):
        UserFactory(username="ops-lockout", is_staff=True)
        client = Client()

        failures = [self._login(client, "ops-lockout", "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
        locked = self._login(client, "ops-lockout", "correct-horse-battery")

        assert [r.status_code for r in failures[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        assert "_auth_user_id" not in client.session

    def test_lets_the_right_password_in_below_the_limit(self):
        UserFactory(username="ops-ok", is_staff=True)
        client = Client()
        self._login(client, "ops-ok", "wrong")

        response = self._login(client, "ops-ok", "correct-horse-battery")

        assert response.status_code == 302
        assert "_auth_user_id" in client.session


@pytest.mark.django_db
class TestSessions:
    def test_end_after_idle_time_and_when_the_browser_closes(self, staff_client):
        response = staff_client.get(reverse("admin:index"))

        assert staff_client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 60 * 60
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        assert not response.cookies["sessionid"]["max-age"]
        assert response.cookies["sessionid"]["httponly"]

    def test_an_idle_session_expires_and_is_sent_to_the_login_page(self, staff_client):
        import time

        session = staff_client.session
        session.set_expiry(1)
        session.save()
        time.sleep(1.2)

        response = staff_client.get(reverse("admin:index"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
class TestEnsureStaffUser:
    def test_creates_a_demo_ops_user_in_its_group_once(self):
        from django.core.management import call_command

        from accounts import models
        from tests.staff_groups import ensure_staff_groups

        ensure_staff_groups()  # permissions, which an earlier test's flush may have removed
        for _ in range(2):
            call_command(
                "ensure_staff_user",
                "--username=lead-demo",
                "--email=lead-demo@example.com",
                "--password=pw-123456",
                "--group=Ops lead",
            )

        user = models.User.objects.get(username="lead-demo")
        assert user.is_staff and not user.is_superuser
        assert user.has_perm("accounts.approve_ledgeradjustment")
