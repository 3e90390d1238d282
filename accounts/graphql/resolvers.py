"""Resolvers of the accounts app's part of the customer graph: the token mutations, `viewer`,
`account`, `properties`/`property`, and the account, user, property, ledger and transaction types.

Each class is named after the contract type it resolves; `kraken.graphql.binding.bind` attaches
its `resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
"""

from __future__ import annotations

from accounts import models, operations, queries, tokens
from accounts.graphql import access, dataloaders
from kernel import graphql as gql
from kernel.graphql import error_codes


def _name(value):
    """An enum argument's name, whether graphene passes the member or its value."""
    return getattr(value, "name", value)


# --- roots -------------------------------------------------------------------------------------


class Query:
    @staticmethod
    def resolve_viewer(root, info):
        return gql.context(info).viewer()

    @staticmethod
    def resolve_account(root, info, accountNumber):
        return access.viewer_account(info, accountNumber)

    @staticmethod
    def resolve_properties(root, info, accountNumber, active=None):
        account = access.viewer_account(info, accountNumber)
        now = gql.context(info).now

        def keep(props):
            if active is None:
                return props
            return [p for p in props if _is_active(p, now) == active]

        return gql.then(dataloaders.properties_of_account(info, account.pk), keep)

    @staticmethod
    def resolve_property(root, info, id):
        gql.context(info).viewer()
        number = _property_number(id)
        prop = (
            models.Property.objects.select_related("address").filter(public_id=number).first()
            if number is not None
            else None
        )
        if prop is None or prop.account_id not in gql.context(info).viewer_account_ids():
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        return prop

    @staticmethod
    def resolve_loyaltyPointLedgers(root, info):
        entries = list(queries.loyalty_point_entries(user=gql.context(info).viewer()))
        return entries[::-1]

    @staticmethod
    def resolve_balanceForecast(root, info, accountNumber):
        access.viewer_account(info, accountNumber)
        # The product keeps no balance forecasts: say so rather than make one up.
        return {"isAvailable": False}


def _property_number(value) -> int | None:
    """A property's public number from an ID or Int argument, or None when it cannot be one."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def _is_active(prop: models.Property, now) -> bool:
    return prop.occupied_from <= now and (prop.occupied_to is None or now < prop.occupied_to)


class Mutation:
    @staticmethod
    def resolve_obtainKrakenToken(root, info, input):
        now = gql.context(info).now
        given = {k for k, v in dict(input).items() if v not in (None, "")}
        if given & {"organizationSecretKey", "preSignedKey"}:
            raise gql.KrakenError(error_codes.TOKEN_INPUT_UNSUPPORTED)
        try:
            if given == {"email", "password"}:
                issued = tokens.obtain_token_with_password(
                    email=input.email, password=input.password, now=now
                )
            elif given == {"APIKey"}:
                issued = tokens.obtain_token_with_api_key(api_key=input.APIKey, now=now)
            elif given == {"refreshToken"}:
                issued = tokens.refresh_access_token(refresh_token=input.refreshToken, now=now)
            else:
                raise gql.KrakenError(error_codes.TOKEN_INPUT_INVALID)
        except tokens.InvalidCredentials as exc:
            raise gql.KrakenError(error_codes.INVALID_CREDENTIALS) from exc
        except tokens.InvalidAPIKey as exc:
            raise gql.KrakenError(error_codes.AUTHENTICATION_FAILED) from exc
        except tokens.InvalidRefreshToken as exc:
            raise gql.KrakenError(error_codes.INVALID_REFRESH_TOKEN) from exc
        return {
            "possibleErrors": [],
            "token": issued.token,
            "payload": issued.payload,
            "refreshToken": issued.refresh_token,
            "refreshExpiresIn": int(issued.refresh_expires_at.timestamp())
            if issued.refresh_expires_at
            else None,
        }

    @staticmethod
    def resolve_forceReauthentication(root, info, input):
        ctx = gql.context(info)
        effective_at = tokens.force_reauthentication(user=ctx.viewer(), now=ctx.now)
        return {"tokensInvalidated": True, "effectiveAt": effective_at}

    @staticmethod
    def resolve_invalidateRefreshToken(root, info, input):
        ctx = gql.context(info)
        ctx.viewer()
        try:
            tokens.revoke_refresh_token(refresh_token=input.refreshToken, now=ctx.now)
        except tokens.InvalidRefreshToken as exc:
            raise gql.KrakenError(error_codes.INVALID_REFRESH_TOKEN) from exc
        return {"possibleErrors": [], "token": None}

    @staticmethod
    def resolve_obtainLongLivedRefreshToken(root, info, input):
        ctx = gql.context(info)
        try:
            raw, expires_at = tokens.obtain_long_lived_refresh_token(
                issuer=ctx.viewer(), kraken_token=input.krakenToken or "", now=ctx.now
            )
        except tokens.IssuerNotPermitted as exc:
            raise gql.KrakenError(error_codes.LONG_LIVED_TOKEN_UNAUTHORIZED) from exc
        except tokens.ExpiredKrakenToken as exc:
            raise gql.KrakenError(error_codes.KRAKEN_TOKEN_EXPIRED) from exc
        except tokens.NotAKrakenToken as exc:
            raise gql.KrakenError(error_codes.NOT_A_KRAKEN_TOKEN) from exc
        except tokens.NotAnAccountUser as exc:
            raise gql.KrakenError(error_codes.NOT_AN_ACCOUNT_USER) from exc
        return {"possibleErrors": [], "refreshToken": raw, "refreshExpiresIn": int(expires_at.timestamp())}

    @staticmethod
    def resolve_updateCommsPreferences(root, info, input):
        ctx = gql.context(info)
        changes = {
            field: _name(input.get(name))
            for name, field in dataloaders.COMMS_PREFERENCE_INPUTS.items()
            if input.get(name) is not None
        }
        try:
            prefs = operations.update_comms_preferences(user=ctx.viewer(), changes=changes, now=ctx.now)
        except operations.InvalidCommsPreferences as exc:
            inputs = {field: name for name, field in dataloaders.COMMS_PREFERENCE_INPUTS.items()}
            return {
                "errors": [{"field": inputs[f], "messages": m} for f, m in exc.errors.items()],
                "clientMutationId": input.get("clientMutationId"),
            }
        view = dataloaders.comms_preferences_view(prefs)
        return {
            **view,
            "errors": [],
            "commsPreferences": view,
            "clientMutationId": input.get("clientMutationId"),
        }

    @staticmethod
    def resolve_redeemLoyaltyPointsForAccountCredit(root, info, input):
        ctx = gql.context(info)
        account = access.viewer_account(info, input.accountNumber)
        try:
            operations.redeem_loyalty_points(
                user=ctx.viewer(), account=account, points=input.points, now=ctx.now
            )
        except operations.NonPositivePoints as exc:
            raise gql.KrakenError(error_codes.NON_POSITIVE_POINTS) from exc
        except operations.IndivisiblePoints as exc:
            raise gql.KrakenError(error_codes.INDIVISIBLE_POINTS) from exc
        except operations.NoLoyaltyPoints as exc:
            raise gql.KrakenError(error_codes.NO_LOYALTY_LEDGER) from exc
        except operations.InsufficientPoints as exc:
            raise gql.KrakenError(error_codes.INSUFFICIENT_POINTS) from exc
        except (operations.CurrencyMismatch, models.Ledger.DoesNotExist) as exc:
            raise gql.KrakenError(error_codes.LOYALTY_POINTS_FAILED) from exc
        return {"possibleErrors": [], "pointsRedeemed": input.points}


# --- types -------------------------------------------------------------------------------------


class AccountUserType:
    @staticmethod
    def resolve_id(user, info):
        return gql.encode_pk(user.pk)

    @staticmethod
    def resolve_accounts(user, info, restrictToAccountNumbers=None, excludeAccountTypes=None, **_):
        excluded = {_name(t) for t in excludeAccountTypes or []}

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

    resolve_givenName = staticmethod(lambda user, info: user.first_name)
    resolve_firstName = staticmethod(lambda user, info: user.first_name)
    resolve_familyName = staticmethod(lambda user, info: user.last_name)
    resolve_lastName = staticmethod(lambda user, info: user.last_name)
    resolve_email = staticmethod(lambda user, info: user.email)
    resolve_mobile = staticmethod(lambda user, info: user.mobile)
    resolve_landline = staticmethod(lambda user, info: user.landline)
    resolve_landlinePhoneNumber = staticmethod(lambda user, info: user.landline)
    resolve_dateOfBirth = staticmethod(lambda user, info: user.date_of_birth)
    resolve_preferredName = staticmethod(lambda user, info: user.preferred_name or None)
    resolve_fullName = staticmethod(lambda user, info: user.get_full_name() or None)
    resolve_displayName = staticmethod(lambda user, info: user.get_full_name() or None)

    @staticmethod
    def resolve_preferences(user, info):
        return dataloaders.comms_preferences(info, user.pk)


class AccountUserRoleType:
    resolve_id = staticmethod(lambda role, info: gql.encode_pk(role.pk))
    resolve_role = staticmethod(lambda role, info: role.role)
    resolve_account = staticmethod(lambda role, info: role.account)

    @staticmethod
    def resolve_user(role, info):
        return dataloaders.user(info, role.user_id)


class AccountType:
    resolve_id = staticmethod(lambda account, info: gql.encode_pk(account.pk))
    resolve_number = staticmethod(lambda account, info: account.number)
    resolve_status = staticmethod(lambda account, info: account.status)
    resolve_accountType = staticmethod(lambda account, info: account.account_type)
    resolve_brand = staticmethod(lambda account, info: account.brand or None)
    resolve_billingName = staticmethod(lambda account, info: account.billing_name)
    resolve_billingEmail = staticmethod(lambda account, info: account.billing_email or None)
    resolve_createdAt = staticmethod(lambda account, info: account.created_at)

    @staticmethod
    def resolve_users(account, info):
        return dataloaders.users_of_account(info, account.pk)

    @staticmethod
    def resolve_balance(account, info, includeAllLedgers=False):
        return dataloaders.balance_of_account(info, account.pk)

    @staticmethod
    def resolve_ledgers(account, info, ledgerId=None, ledgerNumber=None):
        def pick(ledgers):
            wanted = ledgerNumber or ledgerId
            return [lg for lg in ledgers if wanted is None or LedgerType.resolve_number(lg, info) == wanted]

        return gql.then(dataloaders.ledgers_of_account(info, account.pk), pick)

    @staticmethod
    def resolve_properties(account, info, activeFrom=None):
        def pick(props):
            return [
                p for p in props if activeFrom is None or p.occupied_to is None or p.occupied_to > activeFrom
            ]

        return gql.then(dataloaders.properties_of_account(info, account.pk), pick)

    @staticmethod
    def resolve_transactions(account, info, transactionTypes=None, transactionTypesExcluded=None, **kwargs):
        return _transactions(
            info,
            parent="ledger__account_id",
            parent_id=account.pk,
            order=_name(kwargs.get("orderBy")) or "POSTED_DATE_DESC",
            types=transactionTypes,
            excluded=transactionTypesExcluded,
            kwargs=kwargs,
        )

    @staticmethod
    def resolve_address(account, info):
        return gql.then(dataloaders.address(info, account.billing_address_id), _rich_address)

    @staticmethod
    def resolve_billingAddress(account, info):
        return gql.then(
            dataloaders.address(info, account.billing_address_id), lambda a: str(a) if a else None
        )

    @staticmethod
    def resolve_billingAddressPostcode(account, info):
        return gql.then(
            dataloaders.address(info, account.billing_address_id), lambda a: a.postcode if a else None
        )

    @staticmethod
    def resolve_billingPostcode(account, info):
        return AccountType.resolve_billingAddressPostcode(account, info)

    @staticmethod
    def resolve_billingCountryCode(account, info):
        return gql.then(
            dataloaders.address(info, account.billing_address_id), lambda a: a.country if a else None
        )

    @staticmethod
    def resolve_splitBillingAddress(account, info):
        return gql.then(dataloaders.address(info, account.billing_address_id), _split_address)


def _lines(address: models.Address) -> list[str]:
    return [p for p in (address.line_1, address.line_2, address.line_3, address.locality) if p]


def _split_address(address):
    return _lines(address) + ([address.postcode] if address.postcode else []) if address else None


def _rich_address(address):
    if address is None:
        return None
    return {
        "streetAddress": "\n".join(p for p in (address.line_1, address.line_2, address.line_3) if p),
        "locality": address.locality or None,
        "administrativeArea": address.administrative_area or None,
        "postalCode": address.postcode or None,
        "country": address.country,
    }


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
        kinds.update(TRANSACTION_FILTERS[_name(f)])
    return tuple(sorted(kinds))


def _transactions(info, *, parent, parent_id, order, types, excluded, kwargs):
    args = gql.page_args(**kwargs)
    return dataloaders.transactions_of(
        info,
        parent=parent,
        parent_id=parent_id,
        args=args,
        order=order,
        kinds=_kinds(types),
        excluded=_kinds(excluded),
    )


class LedgerType:
    resolve_id = staticmethod(lambda ledger, info: gql.encode_pk(ledger.pk))
    resolve_ledgerType = staticmethod(lambda ledger, info: ledger.ledger_type)
    resolve_name = staticmethod(lambda ledger, info: ledger.get_ledger_type_display())
    resolve_number = staticmethod(lambda ledger, info: f"L-{gql.encode_pk(ledger.pk).upper()}")
    resolve_affectsAccountBalance = staticmethod(lambda ledger, info: True)

    @staticmethod
    def resolve_balance(ledger, info):
        return getattr(ledger, "balance", None) or 0

    @staticmethod
    def resolve_amountOwedByCustomer(ledger, info):
        return max(-(getattr(ledger, "balance", None) or 0), 0)

    @staticmethod
    def resolve_transactions(ledger, info, transactionTypes=None, **kwargs):
        return _transactions(
            info,
            parent="ledger_id",
            parent_id=ledger.pk,
            order="POSTED_DATE_DESC",
            types=transactionTypes,
            excluded=None,
            kwargs=kwargs,
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
    """Shared by Charge, Credit, Payment and Refund (ledger entries). Amounts are positive, as
    Kraken reports them; the type says the direction."""

    resolve_id = staticmethod(lambda e, info: gql.encode_pk(e.pk))
    resolve_postedDate = staticmethod(lambda e, info: e.posted_at.date())
    resolve_createdAt = staticmethod(lambda e, info: e.created_at)
    resolve_accountNumber = staticmethod(lambda e, info: e.ledger.account.number)
    resolve_amount = staticmethod(lambda e, info: abs(e.amount))
    resolve_amounts = staticmethod(lambda e, info: {"gross": abs(e.amount)})
    resolve_balanceCarriedForward = staticmethod(lambda e, info: getattr(e, "balance_after", None))
    resolve_isCredit = staticmethod(lambda e, info: e.amount > 0)
    resolve_isAccountCharge = staticmethod(lambda e, info: transaction_type(e) == "Charge")
    resolve_isAccountPayment = staticmethod(lambda e, info: transaction_type(e) == "Payment")
    resolve_title = staticmethod(lambda e, info: e.description)
    resolve_billingDocumentIdentifier = staticmethod(lambda e, info: e.reference or None)
    resolve_statementId = staticmethod(lambda e, info: e.reference or None)
    # Entries are append-only; a correction is a new entry, never a reversal of this one.
    resolve_isReversed = staticmethod(lambda e, info: False)


class Charge(_Transaction):
    pass


class Credit(_Transaction):
    pass


class Payment(_Transaction):
    pass


class Refund(_Transaction):
    pass


class PropertyType:
    # The public number, not the primary key: Kraken clients pass it back as `propertyId: Int`.
    resolve_id = staticmethod(lambda prop, info: str(prop.public_id))
    resolve_postcode = staticmethod(lambda prop, info: prop.address.postcode)
    resolve_address = staticmethod(lambda prop, info: ", ".join(_split_address(prop.address)))
    resolve_splitAddress = staticmethod(lambda prop, info: _split_address(prop.address))
    resolve_richAddress = staticmethod(lambda prop, info: _rich_address(prop.address))

    @staticmethod
    def resolve_occupancyPeriods(prop, info):
        return [
            {
                "id": gql.encode_pk(prop.pk),
                "effectiveFrom": prop.occupied_from,
                "effectiveTo": prop.occupied_to,
                "isOccupier": True,
            }
        ]


TYPE_RESOLVERS = {models.LedgerEntry: transaction_type, models.Account: lambda account: "AccountType"}


class LoyaltyPointLedgerEntryType:
    resolve_id = staticmethod(lambda e, info: gql.encode_pk(e.pk))
    resolve_ledgerType = staticmethod(lambda e, info: "LOYALTY_POINTS")
    resolve_value = staticmethod(lambda e, info: str(e.points))
    resolve_balanceBroughtForward = staticmethod(lambda e, info: str(e.balance_after - e.points))
    resolve_balanceCarriedForward = staticmethod(lambda e, info: str(e.balance_after))
    resolve_reasonCode = staticmethod(lambda e, info: str(e.reason))
    resolve_postedAt = staticmethod(lambda e, info: e.posted_at)
    resolve_accountNumber = staticmethod(lambda e, info: e.account.number if e.account_id else None)
