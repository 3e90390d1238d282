import datetime as dt

import factory

from accounts import models

EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Address

    line_1 = factory.Faker("street_address", locale="en_GB")
    locality = factory.Faker("city", locale="en_GB")
    postcode = factory.Faker("postcode", locale="en_GB")
    country = "GB"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Account
        skip_postgeneration_save = True

    billing_name = factory.Faker("name")
    billing_address = factory.SubFactory(AddressFactory)
    currency = "GBP"
    status = models.AccountStatus.ACTIVE

    @factory.post_generation
    def ledger(obj, create, extracted, **kwargs):
        if create:
            models.Ledger.objects.get_or_create(
                account=obj, ledger_type=models.LedgerType.ENERGY, defaults={"currency": obj.currency}
            )


class AccountUserRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AccountUserRole

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Property

    account = factory.SubFactory(AccountFactory)
    address = factory.SubFactory(AddressFactory)
    occupied_from = EPOCH


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PaymentMethod

    account = factory.SubFactory(AccountFactory)
    method_type = models.PaymentMethodType.DIRECT_DEBIT
    vendor = "localpay"
    vendor_reference = factory.Sequence(lambda n: f"MANDATE-{n:08d}")
    last_four = "1234"


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LedgerEntry

    ledger = factory.LazyAttribute(lambda o: AccountFactory().ledgers.get())
    amount = -1000
    currency = factory.LazyAttribute(lambda o: o.ledger.currency)
    kind = models.LedgerEntryKind.CHARGE
    description = "Charge"
    posted_at = EPOCH


def api_key_for(user, now=EPOCH) -> str:
    """A new secret API key for `user` (revoking the live one), as the customer would see it."""
    from accounts import operations

    return operations.regenerate_api_key(user=user, now=now)
