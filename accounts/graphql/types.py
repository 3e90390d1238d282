"""Fields of the accounts app's object types: account users and their roles, accounts, ledgers and
their transactions, properties and loyalty point entries.

Each class is named after the contract type it resolves; `kernel.graphql.binding.bind` attaches its
`resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts import models, queries
from accounts.graphql import dataloaders
from kernel import clock
from kernel import graphql as gql

# --- views (plain values of contract types) ------------------------------------------------------

# GraphQL input field -> CommsPreferences field
COMMS_PREFERENCE_INPUTS = {
    "isOptedInToClientMessages": "is_opted_in_to_client_messages",
    "isOptedInToOfferMessages": "is_opted_in_to_offer_messages",
    "isOptedInToRecommendedMessages": "is_opted_in_to_recommended_messages",
    "isOptedInToUpdateMessages": "is_opted_in_to_update_messages",
    "isOptedInToThirdPartyMessages": "is_opted_in_to_third_party_messages",
    "isOptedInMeterReadingConfirmations": "is_opted_in_meter_reading_confirmations",
    "isOptedInToSmsMessages": "is_opted_in_to_sms_messages",
    "isUsingInvertedEmailColours": "is_using_inverted_email_colours",
    "fontSizeMultiplier": "font_size_multiplier",
    "emailFormat": "email_format",
    "preferredHoldMusic": "preferred_hold_music",
}


def local_date(moment: datetime) -> date:
    """The day a customer sees for a moment: on the platform's wall clock, not UTC's (a statement of
    a summer month starts at 23:00 UTC on the last day of the month before)."""
    return clock.local_date(moment, ZoneInfo(settings.TIME_ZONE))


def comms_preferences_fields(prefs: models.CommsPreferences) -> dict:
    """The AccountUserCommsPreferences fields of a user's preferences (saved or defaults)."""
    fields = {name: getattr(prefs, field) for name, field in COMMS_PREFERENCE_INPUTS.items()}
    fields["fontSizeMultiplier"] = float(prefs.font_size_multiplier)
    fields["emailFormat"] = str(prefs.email_format)
    fields["preferredHoldMusic"] = str(prefs.preferred_hold_music)
    return fields


def comms_preferences_view(prefs: models.CommsPreferences) -> dict:
    return gql.view("AccountUserCommsPreferences", **comms_preferences_fields(prefs))


def _lines(address: models.Address) -> list[str]:
    return [p for p in (address.line_1, address.line_2, address.line_3, address.locality) if p]


def _split_address(address: models.Address | None) -> list[str] | None:
    return _lines(address) + ([address.postcode] if address.postcode else []) if address else None


def _street_lines(address: models.Address) -> list[str]:
    return [p for p in (address.line_1, address.line_2, address.line_3) if p]


def _rich_address(type_name: str, address: models.Address | None) -> dict | None:
    """RichAddressType or PropertyRichAddressType (the same fields) of an address; the street lines
    are also given structured, as the lines the address holds."""
    if address is None:
        return None
    lines = _street_lines(address)
    return gql.view(
        type_name,
        streetAddress="\n".join(lines),
        structuredStreetAddress={f"line{i}": line for i, line in enumerate(lines, start=1)},
        locality=address.locality or None,
        administrativeArea=address.administrative_area or None,
        postalCode=address.postcode or None,
        country=address.country,
        deliveryPointIdentifier=address.delivery_point_identifier or None,
    )


def _billing_line(number: int):
    """The resolver of `billingAddressLine<number>`: the billing address's lines (street lines, town,
    county) in order, the empty ones left out."""

    def read(address: models.Address) -> str | None:
        lines = [*_street_lines(address), *(p for p in (address.locality, address.administrative_area) if p)]
        return lines[number - 1] if len(lines) >= number else None

    return staticmethod(lambda account, info: billing_address_of(account, info, read))


# --- account users -------------------------------------------------------------------------------


class AccountUserType:
    resolve_id = gql.plain(lambda user, info: gql.model_id("AccountUserType", user.pk))
    resolve_givenName = gql.plain(lambda user, info: user.first_name)
    resolve_firstName = gql.plain(lambda user, info: user.first_name)
    resolve_familyName = gql.plain(lambda user, info: user.last_name)
    resolve_lastName = gql.plain(lambda user, info: user.last_name)
    resolve_email = gql.plain(lambda user, info: user.email)
    resolve_mobile = gql.plain(lambda user, info: user.mobile)
    resolve_landline = gql.plain(lambda user, info: user.landline)
    resolve_landlinePhoneNumber = gql.plain(lambda user, info: user.landline)
    resolve_dateOfBirth = gql.plain(lambda user, info: user.date_of_birth)
    resolve_preferredName = gql.plain(lambda user, info: user.preferred_name or None)
    resolve_title = gql.plain(lambda user, info: user.title or None)
    # Kept as the import's code (THEY_THEM_THEIRS), shown as people write them (They/Them/Theirs).
    resolve_pronouns = gql.plain(lambda user, info: user.pronouns.replace("_", "/").title() or None)
    resolve_fullName = gql.plain(lambda user, info: user.get_full_name() or None)
    resolve_displayName = gql.plain(lambda user, info: user.get_full_name() or None)
    # The platform records no bereavements and no hardship arrangements (`activeHardshipAgreements`
    # is empty): an account user is neither until it does.
    resolve_isDeceased = gql.plain(lambda user, info: False)
    resolve_isInHardship = gql.plain(lambda user, info: False)

    @staticmethod
    def resolve_liveSecretKey(user, info):
        """Only to the user it belongs to; null for anyone else and for a user without a key."""
        if gql.context(info).viewer().pk != user.pk:
            return None
        return dataloaders.live_api_key(info)

    @staticmethod
    def resolve_accounts(user, info, restrictToAccountNumbers=None, excludeAccountTypes=None, **_):
        excluded = {gql.enum_name(t) for t in excludeAccountTypes or []}

        def pick(roles):
            accounts = [r.account for r in roles]
            if restrictToAccountNumbers:
                accounts = [a for a in accounts if a.number in restrictToAccountNumbers]
            return [a for a in accounts if a.account_type not in excluded]

        return gql.then(dataloaders.roles_of_user(info, user.pk), pick)

    @staticmethod
    def resolve_accountUserRoles(user, info, accountNumber=None):
        def pick(roles):
            return [r for r in roles if accountNumber is None or r.account.number == accountNumber]

        return gql.then(dataloaders.roles_of_user(info, user.pk), pick)

    @staticmethod
    def resolve_preferences(user, info):
        return gql.then(dataloaders.comms_preferences(info, user.pk), comms_preferences_view)


class AccountUserRoleType:
    resolve_id = gql.plain(lambda role, info: gql.model_id("AccountUserRoleType", role.pk))
    resolve_role = gql.plain(lambda role, info: role.role)
    resolve_account = staticmethod(lambda role, info: role.account)

    @staticmethod
    def resolve_user(role, info):
        return dataloaders.user(info, role.user_id)


# --- accounts ------------------------------------------------------------------------------------


class AccountType:
    resolve_id = gql.plain(lambda account, info: gql.model_id("AccountType", account.pk))
    resolve_number = gql.plain(lambda account, info: account.number)
    resolve_status = gql.plain(lambda account, info: account.status)
    resolve_accountType = gql.plain(lambda account, info: account.account_type)
    resolve_billingName = gql.plain(lambda account, info: account.billing_name)
    resolve_billingEmail = gql.plain(lambda account, info: account.billing_email or None)
    resolve_billingSubName = gql.plain(lambda account, info: account.billing_sub_name or None)
    resolve_createdAt = gql.plain(lambda account, info: account.created_at)
    resolve_billingAddressLine1 = _billing_line(1)
    resolve_billingAddressLine2 = _billing_line(2)
    resolve_billingAddressLine3 = _billing_line(3)
    resolve_billingAddressLine4 = _billing_line(4)
    resolve_billingAddressLine5 = _billing_line(5)
    # A switch not yet complete can still be withdrawn.
    resolve_canBeWithdrawn = gql.plain(lambda account, info: account.status in WITHDRAWABLE_STATUSES)
    resolve_canChangePayments = gql.plain(lambda account, info: account.status == models.AccountStatus.ACTIVE)
    # Letters go by post to an account without a billing email.
    resolve_commsDeliveryPreference = gql.plain(
        lambda account, info: "EMAIL" if account.billing_email else "POSTAL_MAIL"
    )
    resolve_communicationDeliveryPreference = gql.plain(
        lambda account, info: "EMAIL" if account.billing_email else "POSTAL_MAIL"
    )
    resolve_preferredLanguageForComms = gql.plain(lambda account, info: settings.LANGUAGE_CODE)
    # What the platform does not run at all answers as such: it has no IVR, no collections agencies
    # or dunning, no migrations that block an account, no hardship arrangements, no referral scheme.
    resolve_canInputMeterReadingsViaIvr = gql.plain(lambda account, info: False)
    resolve_hasActiveCollectionsProceedings = gql.plain(lambda account, info: False)
    resolve_hasActiveDunningProcess = gql.plain(lambda account, info: False)
    resolve_isInBlockingMigration = gql.plain(lambda account, info: False)
    resolve_isInHardship = gql.plain(lambda account, info: False)
    resolve_referralsCreated = gql.plain(lambda account, info: 0)

    @staticmethod
    def resolve_canRequestRefund(account, info):
        """An account in credit can ask for its credit back."""
        return gql.then(dataloaders.balance_of_account(info, account.pk), lambda balance: balance > 0)

    @staticmethod
    def resolve_users(account, info):
        return dataloaders.users_of_account(info, account.pk)

    @staticmethod
    def resolve_balance(account, info, includeAllLedgers=False):
        return dataloaders.balance_of_account(info, account.pk)

    @staticmethod
    def resolve_ledgers(account, info, ledgerId=None, ledgerNumber=None):
        def pick(ledgers):
            return [
                lg
                for lg in ledgers
                if (ledgerNumber is None or ledger_number(lg) == ledgerNumber)
                and (ledgerId is None or gql.model_id("LedgerType", lg.pk) == ledgerId)
            ]

        return gql.then(dataloaders.ledgers_of_account(info, account.pk), pick)

    @staticmethod
    def resolve_properties(account, info, activeFrom=None):
        def pick(props):
            return [p for p in props if activeFrom is None or queries.occupancy(p).ends_after(activeFrom)]

        return gql.then(dataloaders.properties_of_account(info, account.pk), pick)

    @staticmethod
    def resolve_transactions(account, info, transactionTypes=None, transactionTypesExcluded=None, **kwargs):
        order = gql.enum_name(kwargs.get("orderBy")) or "POSTED_DATE_DESC"
        return dataloaders.transactions_of_account(
            info,
            account.pk,
            args=gql.page_args(**kwargs),
            newest_first=order == "POSTED_DATE_DESC",
            kinds=_kinds(transactionTypes),
            excluded=_kinds(transactionTypesExcluded),
        )

    @staticmethod
    def resolve_address(account, info):
        return billing_address_of(account, info, lambda a: _rich_address("RichAddressType", a))

    @staticmethod
    def resolve_billingAddress(account, info):
        return billing_address_of(account, info, str)

    @staticmethod
    def resolve_billingDeliveryPointIdentifier(account, info):
        return billing_address_of(account, info, lambda a: a.delivery_point_identifier or None)

    @staticmethod
    def resolve_billingAddressPostcode(account, info):
        return billing_address_of(account, info, lambda a: a.postcode)

    @staticmethod
    def resolve_billingPostcode(account, info):
        return billing_address_of(account, info, lambda a: a.postcode)

    @staticmethod
    def resolve_billingCountryCode(account, info):
        return billing_address_of(account, info, lambda a: a.country)

    @staticmethod
    def resolve_splitBillingAddress(account, info):
        return billing_address_of(account, info, _split_address)


def billing_address_of(account: models.Account, info, read):
    """`read(address)` of the account's billing address, None without one."""
    return gql.then(
        dataloaders.address(info, account.billing_address_id), lambda a: read(a) if a is not None else None
    )


# --- ledgers and their transactions --------------------------------------------------------------

WITHDRAWABLE_STATUSES = (models.AccountStatus.PENDING, models.AccountStatus.INCOMPLETE)

# Kraken's filter names mapped onto our ledger entry kinds.
TRANSACTION_FILTERS = {
    "ISSUED_TRANSACTIONS": (),
    "ENERGY_CHARGES": (models.LedgerEntryKind.CHARGE,),
    "IMPORTED_CHARGES": (models.LedgerEntryKind.CHARGE, models.LedgerEntryKind.OPENING_BALANCE),
    "IMPORTED_CREDITS": (models.LedgerEntryKind.CREDIT,),
    "IMPORTED_REPAYMENTS": (models.LedgerEntryKind.REFUND,),
    "IMPORTED_PAYMENTS": (models.LedgerEntryKind.PAYMENT,),
}


def _kinds(filters) -> tuple[str, ...]:
    kinds: set[str] = set()
    for f in filters or []:
        kinds.update(TRANSACTION_FILTERS[gql.enum_name(f)])
    return tuple(sorted(kinds))


def ledger_number(ledger: models.Ledger) -> str:
    return f"L-{gql.encode_pk(ledger.pk).upper()}"


class LedgerType:
    resolve_id = gql.plain(lambda ledger, info: gql.model_id("LedgerType", ledger.pk))
    resolve_ledgerType = gql.plain(lambda ledger, info: ledger.ledger_type)
    resolve_name = gql.plain(lambda ledger, info: ledger.get_ledger_type_display())
    resolve_number = gql.plain(lambda ledger, info: ledger_number(ledger))
    resolve_affectsAccountBalance = gql.plain(lambda ledger, info: True)
    resolve_balance = gql.plain(lambda ledger, info: ledger.balance)
    resolve_amountOwedByCustomer = gql.plain(lambda ledger, info: queries.amount_owed(balance=ledger.balance))

    @staticmethod
    def resolve_transactions(ledger, info, transactionTypes=None, **kwargs):
        return dataloaders.transactions_of_ledger(
            info, ledger.pk, args=gql.page_args(**kwargs), kinds=_kinds(transactionTypes)
        )


def transaction_type(entry: models.LedgerEntry) -> str:
    """Which TransactionType implementation a ledger entry is."""
    kind = entry.kind
    if kind == models.LedgerEntryKind.PAYMENT:
        return "Payment"
    if kind == models.LedgerEntryKind.REFUND:
        return "Refund"
    if kind == models.LedgerEntryKind.CHARGE or entry.amount < 0:
        return "Charge"
    return "Credit"


class _Transaction:
    """Shared by Charge, Credit, Payment and Refund (ledger entries). Amounts are unsigned, as
    Kraken reports them; the type says the direction."""

    resolve_id = gql.plain(lambda e, info: gql.model_id(transaction_type(e), e.pk))
    resolve_postedDate = gql.plain(lambda e, info: local_date(e.posted_at))
    resolve_createdAt = gql.plain(lambda e, info: e.created_at)
    resolve_accountNumber = gql.plain(lambda e, info: e.ledger.account.number)
    resolve_amount = gql.plain(lambda e, info: abs(e.amount))
    resolve_balanceCarriedForward = gql.plain(lambda e, info: getattr(e, "balance_after", None))
    resolve_isCredit = gql.plain(lambda e, info: e.amount > 0)
    resolve_isAccountCharge = gql.plain(lambda e, info: transaction_type(e) == "Charge")
    resolve_isAccountPayment = gql.plain(lambda e, info: transaction_type(e) == "Payment")
    resolve_title = gql.plain(lambda e, info: e.description)
    # Entries are append-only; a correction is a new entry, never a reversal of this one. An entry is
    # posted to the ledger when it is made: it is issued and never held.
    resolve_isReversed = gql.plain(lambda e, info: False)
    resolve_isIssued = gql.plain(lambda e, info: True)
    resolve_isHeld = gql.plain(lambda e, info: False)


class Charge(_Transaction):
    pass


class Credit(_Transaction):
    pass


class Payment(_Transaction):
    pass


class Refund(_Transaction):
    pass


# --- properties and loyalty points ---------------------------------------------------------------


def property_number(value) -> int | None:
    """A property's public number from an ID or Int argument, or None when it cannot be one."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


class PropertyType:
    # The public number, not the primary key: Kraken clients pass it back as `propertyId: Int`.
    resolve_id = gql.plain(lambda prop, info: str(prop.public_id))
    resolve_postcode = gql.plain(lambda prop, info: prop.address.postcode)
    resolve_address = gql.plain(lambda prop, info: ", ".join(_split_address(prop.address)))
    resolve_splitAddress = staticmethod(lambda prop, info: _split_address(prop.address))
    resolve_richAddress = staticmethod(
        lambda prop, info: _rich_address("PropertyRichAddressType", prop.address)
    )

    @staticmethod
    def resolve_isChangeOfTenancyOngoing(prop, info):
        """Whether the account is moving out: its occupancy has an end that is still to come."""
        return prop.occupied_to is not None and prop.occupied_to > gql.context(info).now

    @staticmethod
    def resolve_occupancyPeriods(prop, info):
        return [
            gql.view(
                "OccupancyPeriodType",
                id=gql.model_id("OccupancyPeriodType", prop.pk),
                effectiveFrom=prop.occupied_from,
                effectiveTo=prop.occupied_to,
                isOccupier=True,
            )
        ]


class LoyaltyPointLedgerEntryType:
    resolve_id = gql.plain(lambda e, info: gql.model_id("LoyaltyPointLedgerEntryType", e.pk))
    resolve_ledgerType = gql.plain(lambda e, info: "LOYALTY_POINTS")
    resolve_value = gql.plain(lambda e, info: str(e.points))
    resolve_balanceBroughtForward = gql.plain(lambda e, info: str(e.balance_before))
    resolve_balanceCarriedForward = gql.plain(lambda e, info: str(e.balance_after))
    resolve_reasonCode = gql.plain(lambda e, info: str(e.reason))
    resolve_postedAt = gql.plain(lambda e, info: e.posted_at)
    resolve_accountNumber = gql.plain(lambda e, info: e.account.number if e.account_id else None)


TYPE_RESOLVERS = {models.LedgerEntry: transaction_type, models.Account: lambda account: "AccountType"}
