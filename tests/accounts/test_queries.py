import pytest

from accounts import models, operations, queries
from tests.accounts.factories import EPOCH, AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestUserIdsByEmail:
    def test_keys_the_users_found_by_their_email_in_lower_case(self):
        user = UserFactory(email="ann@example.com")
        UserFactory(email="bob@example.com")

        found = queries.user_ids_by_email(emails={"ann@example.com", "nobody@example.com"})

        assert found == {"ann@example.com": user.pk}

    def test_asks_nothing_without_emails(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert queries.user_ids_by_email(emails=set()) == {}


class TestEnergyLedgerAndPostedReferences:
    def test_find_the_references_already_on_the_energy_ledger(self):
        ledger = queries.energy_ledger(account=AccountFactory())
        operations.post_ledger_entry(
            ledger=ledger,
            amount=100,
            currency="GBP",
            kind="CREDIT",
            description="x",
            posted_at=EPOCH,
            reference="T-1",
        )

        assert queries.posted_references(ledger=ledger, references=["T-1", "T-2"]) == {"T-1"}


class TestNoteKeys:
    def test_are_the_body_and_creation_time_of_each_note(self):
        account = AccountFactory()
        operations.add_note(account=account, body="Hello", created_at=EPOCH)

        assert queries.note_keys(account=account) == {("Hello", EPOCH)}


class TestAccountNumber:
    def test_is_the_public_number_of_the_account(self):
        account = AccountFactory()

        assert queries.account_number(account_id=account.pk) == account.number

    def test_raises_for_an_unknown_account(self):
        with pytest.raises(models.Account.DoesNotExist):
            queries.account_number(account_id=0)


class TestReserveIds:
    def test_draws_distinct_ascending_ids_per_table_in_one_query(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            ids = operations.reserve_ids(addresses=2, accounts=3, users=1, properties=0, ledger_entries=1)

        assert [len(ids.addresses), len(ids.accounts), len(ids.ledgers), len(ids.users)] == [2, 3, 3, 1]
        assert ids.properties == []
        assert ids.accounts == sorted(set(ids.accounts))


class TestAddPaymentMethod:
    def test_adds_an_active_method(self):
        account = AccountFactory()

        method = operations.add_payment_method(
            account=account, method_type="DIRECT_DEBIT", vendor="STRIPE", vendor_reference="M-1"
        )

        assert (method.status, method.vendor_reference) == (models.PaymentMethodStatus.ACTIVE, "M-1")

    def test_refuses_a_second_active_method_and_writes_nothing(self):
        account = AccountFactory()
        operations.add_payment_method(
            account=account, method_type="DIRECT_DEBIT", vendor="S", vendor_reference="M-1"
        )

        with pytest.raises(operations.PaymentMethodConflict):
            operations.add_payment_method(
                account=account, method_type="CARD_PAYMENT", vendor="S", vendor_reference="M-2"
            )

        assert account.payment_methods.count() == 1
