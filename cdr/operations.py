"""Writes for the CDR: granting and revoking consents, issuing access tokens, and handing out the
opaque accountIds and servicePointIds recipients see.

Each public function is one business operation in one transaction, with an audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from accounts import tokens
from cdr import models
from metering import models as metering_models

ACCOUNT_ID_BYTES = 24  # 32 url-safe characters
SERVICE_POINT_ID_BYTES = 24  # 32 url-safe characters
TOKEN_PREFIX = "cdr_"


class AccountNotOwnedByCustomer(ValueError):
    """An account in the consent is not one the consenting customer has a role on."""


class InvalidScopes(ValueError):
    """No scope, or one the platform does not know."""


class InvalidPeriod(ValueError):
    """An expiry that is not after the start."""


class RecipientNotActive(ValueError):
    """The data recipient's software product is not ACTIVE."""


class ConsentNotActive(ValueError):
    """The consent is revoked or expired, so it cannot be revoked again or get tokens."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: models.AccessToken
    raw: str


def grant_consent(
    *,
    recipient: models.DataRecipient,
    customer: accounts_models.User,
    accounts: Iterable[accounts_models.Account],
    scopes: Iterable[str],
    granted_at: datetime,
    expires_at: datetime,
) -> models.Consent:
    """Record a CDR arrangement and give every account in it an opaque accountId, and every AU meter
    point on those accounts an opaque servicePointId, for this (recipient, customer), reusing the
    ones they already have.

    Raises AccountNotOwnedByCustomer, InvalidScopes, InvalidPeriod, RecipientNotActive.
    """
    accounts = list(accounts)
    scopes = sorted(set(scopes))
    if not scopes or not set(scopes) <= set(models.Scope.values):
        raise InvalidScopes(f"Scopes must be some of {', '.join(models.Scope.values)}")
    if expires_at <= granted_at:
        raise InvalidPeriod("A consent must expire after it is granted")
    if recipient.status != models.DataRecipientStatus.ACTIVE:
        raise RecipientNotActive(f"{recipient} is {recipient.status}")
    owned = set(
        accounts_models.AccountUserRole.objects.filter(user=customer, account__in=accounts).values_list(
            "account_id", flat=True
        )
    )
    foreign = [account.number for account in accounts if account.pk not in owned]
    if foreign:
        raise AccountNotOwnedByCustomer(f"{customer} has no role on {', '.join(foreign)}")
    with transaction.atomic():
        consent = models.Consent.objects.create(
            recipient=recipient,
            customer=customer,
            scopes=scopes,
            granted_at=granted_at,
            expires_at=expires_at,
        )
        models.ConsentAccount.objects.bulk_create(
            [models.ConsentAccount(consent=consent, account=account) for account in accounts]
        )
        models.AccountIdentifier.objects.bulk_create(
            [
                models.AccountIdentifier(
                    recipient=recipient,
                    customer=customer,
                    account=account,
                    cdr_account_id=secrets.token_urlsafe(ACCOUNT_ID_BYTES),
                    created_at=granted_at,
                )
                for account in accounts
            ],
            ignore_conflicts=True,  # the (recipient, customer, account) already has its accountId
        )
        _create_service_point_ids(
            recipient_id=recipient.pk,
            customer_id=customer.pk,
            meter_point_ids=_meter_points_without_service_point_id(
                recipient_id=recipient.pk,
                customer_id=customer.pk,
                account_ids=[account.pk for account in accounts],
            ),
            created_at=granted_at,
        )
        accounts_operations.record_audit(
            action="CDR_CONSENT_GRANTED",
            obj=consent,
            actor=customer,
            data={
                "cdr_arrangement_id": str(consent.cdr_arrangement_id),
                "software_product_id": recipient.software_product_id,
                "accounts": [account.number for account in accounts],
                "scopes": scopes,
            },
            occurred_at=granted_at,
        )
    return consent


def assign_service_point_ids(*, consent: models.Consent, assigned_at: datetime) -> int:
    """Give every AU meter point on the consent's accounts that has no servicePointId for the
    consent's (recipient, customer) yet a new one: meter points added to a consented account after
    the grant get theirs here, before they are first shown. Returns how many were created.

    One query when there is nothing to do. Safe to run concurrently: an id another request created
    first is kept. Raises nothing.
    """
    missing = _meter_points_without_service_point_id(
        recipient_id=consent.recipient_id,
        customer_id=consent.customer_id,
        account_ids=models.ConsentAccount.objects.filter(consent=consent).values("account_id"),
    )
    if not missing:
        return 0
    with transaction.atomic():
        _create_service_point_ids(
            recipient_id=consent.recipient_id,
            customer_id=consent.customer_id,
            meter_point_ids=missing,
            created_at=assigned_at,
        )
        accounts_operations.record_audit(
            action="CDR_SERVICE_POINT_IDS_ASSIGNED",
            obj=consent,
            data={
                "cdr_arrangement_id": str(consent.cdr_arrangement_id),
                "meter_points": list(missing.values()),
            },
            occurred_at=assigned_at,
        )
    return len(missing)


def _meter_points_without_service_point_id(
    *, recipient_id: int, customer_id: int, account_ids: Iterable[int] | QuerySet
) -> dict[int, str]:
    """The AU meter points with an agreement on `account_ids` that have no servicePointId for
    (recipient, customer): pk → NMI (the NMI for the audit, never for a response). One query."""
    has_id = models.ServicePointIdentifier.objects.filter(
        meter_point=OuterRef("pk"), recipient_id=recipient_id, customer_id=customer_id
    )
    return dict(
        metering_models.MeterPoint.objects.filter(
            market=metering_models.Market.AU, agreements__account__in=account_ids
        )
        .filter(~Exists(has_id))
        .values_list("pk", "identifier")
        .distinct()
        .order_by("pk")
    )


def _create_service_point_ids(
    *, recipient_id: int, customer_id: int, meter_point_ids: Iterable[int], created_at: datetime
) -> None:
    models.ServicePointIdentifier.objects.bulk_create(
        [
            models.ServicePointIdentifier(
                recipient_id=recipient_id,
                customer_id=customer_id,
                meter_point_id=meter_point_id,
                cdr_service_point_id=secrets.token_urlsafe(SERVICE_POINT_ID_BYTES),
                created_at=created_at,
            )
            for meter_point_id in meter_point_ids
        ],
        ignore_conflicts=True,  # a concurrent request gave this (recipient, customer, meter point) its id
    )


def revoke_consents(
    *, consents: Iterable[models.Consent], revoked_at: datetime, actor: accounts_models.User | None = None
) -> list[models.Consent]:
    """Revoke consents, all or none: their tokens stop working at once.

    Raises ConsentNotActive if any is already revoked or expired.
    """
    with transaction.atomic():
        locked = list(
            models.Consent.objects.select_for_update()
            .filter(pk__in=[consent.pk for consent in consents])
            .order_by("pk")
        )
        inactive = [
            str(consent.cdr_arrangement_id)
            for consent in locked
            if consent.status != models.ConsentStatus.ACTIVE or consent.expires_at <= revoked_at
        ]
        if inactive:
            raise ConsentNotActive(f"Not active, nothing was revoked: {', '.join(inactive)}")
        for consent in locked:
            consent.status = models.ConsentStatus.REVOKED
            consent.revoked_at = revoked_at
            consent.save(update_fields=["status", "revoked_at"])
            accounts_operations.record_audit(
                action="CDR_CONSENT_REVOKED",
                obj=consent,
                actor=actor,
                data={"cdr_arrangement_id": str(consent.cdr_arrangement_id)},
                occurred_at=revoked_at,
            )
    return locked


def issue_access_token(
    *, consent: models.Consent, issued_at: datetime, expires_at: datetime, raw: str | None = None
) -> IssuedToken:
    """A new bearer token for a consent; only its hash is stored, so `raw` is returned once.
    `raw` is generated unless given (fixed development tokens only).

    Raises ConsentNotActive, InvalidPeriod.
    """
    if expires_at <= issued_at:
        raise InvalidPeriod("A token must expire after it is issued")
    raw = raw or TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Read the status under a lock: a revocation that committed first wins.
        locked = models.Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.status != models.ConsentStatus.ACTIVE or locked.expires_at <= issued_at:
            raise ConsentNotActive(f"{locked} is not active")
        access_token = models.AccessToken.objects.create(
            consent=locked,
            token_hash=tokens.hash_secret(raw),
            prefix=raw[:12],
            issued_at=issued_at,
            expires_at=expires_at,
        )
        accounts_operations.record_audit(
            action="CDR_ACCESS_TOKEN_ISSUED",
            obj=access_token,
            data={
                "cdr_arrangement_id": str(consent.cdr_arrangement_id),
                "expires_at": expires_at.isoformat(),
            },
            occurred_at=issued_at,
        )
    return IssuedToken(access_token=access_token, raw=raw)
