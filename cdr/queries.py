"""Reads for the CDR energy endpoints: who is calling (token → consent) and what they may see.

Results are version-neutral value objects in CDS terms (dollars, local dates, opaque ids); `cdr/api`
renders them as each version of the standard wants. Every read is a constant number of queries,
whatever the page size or the number of plans.

Platform → CDS mapping:
- an account's open status comes from `Account.status` (`OPEN_STATUSES`, `CLOSED_STATUSES`); accounts
  in `UNAVAILABLE_STATUSES` are temporarily unavailable and `VOID` ones are gone: neither is listed.
- a plan is the set of the account's current or future agreements on AU meter points that share a
  tariff: `servicePointIds` are the opaque ids the recipient sees for their meter points (never the
  NMIs; see `models.ServicePointIdentifier`), the overview comes from the product and the agreements'
  periods, the detail from the tariff (standing charge, unit rates in effect, time-of-use windows).
- prices are the platform's, which are minor units before tax, converted to dollars exclusive of GST
  as the CDS asks; nothing is rounded.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accounts import models as accounts_models
from accounts import tokens
from billing import models as billing_models
from cdr import models
from kernel import money, ranges
from metering import models as metering_models

CDR_TIME_ZONE = ZoneInfo("Australia/Sydney")
OPEN, CLOSED, ALL = "OPEN", "CLOSED", "ALL"
OPEN_STATUS_FILTERS = (OPEN, CLOSED, ALL)
OPEN_STATUSES = frozenset({accounts_models.AccountStatus.ACTIVE})
CLOSED_STATUSES = frozenset(
    {
        accounts_models.AccountStatus.DORMANT,
        accounts_models.AccountStatus.WITHDRAWN,
        accounts_models.AccountStatus.ENROLMENT_REJECTED,
    }
)
UNAVAILABLE_STATUSES = frozenset(
    {
        accounts_models.AccountStatus.PENDING,
        accounts_models.AccountStatus.INCOMPLETE,
        accounts_models.AccountStatus.ENROLMENT_ERROR,
    }
)
# A scope is satisfied by itself or by a scope that includes it: detail includes basic.
SATISFYING_SCOPES = {
    models.Scope.ENERGY_ACCOUNTS_BASIC_READ: frozenset(
        {models.Scope.ENERGY_ACCOUNTS_BASIC_READ, models.Scope.ENERGY_ACCOUNTS_DETAIL_READ}
    ),
    models.Scope.ENERGY_ACCOUNTS_DETAIL_READ: frozenset({models.Scope.ENERGY_ACCOUNTS_DETAIL_READ}),
}
PAYMENT_OPTIONS = {
    accounts_models.PaymentMethodType.DIRECT_DEBIT: "DIRECT_DEBIT",
    accounts_models.PaymentMethodType.CARD_PAYMENT: "CREDIT_CARD",
    accounts_models.PaymentMethodType.PAYMENT_SLIP: "PAPER_BILL",
    accounts_models.PaymentMethodType.BACS_TRANSFER: "OTHER",
}
VARIATION_POLICY = "Prices may change. We give notice before a change takes effect."
SECONDS_PER_DAY = 24 * 60 * 60


class InvalidAccessToken(Exception):
    """The bearer token is unknown, not yet valid or expired."""


class RecipientNotActive(Exception):
    """The data recipient's software product is not ACTIVE; `status` says what it is."""

    def __init__(self, status: str) -> None:
        super().__init__(f"Software product status is {status}")
        self.status = status


class ConsentRevoked(Exception):
    """The consent was revoked or has expired."""


class ScopeNotGranted(Exception):
    """The consent does not include the scope the endpoint needs."""


class PageOutOfRange(Exception):
    """The page asked for is beyond the last; `total_pages` says how many there are."""

    def __init__(self, total_pages: int) -> None:
        super().__init__(f"There are {total_pages} pages")
        self.total_pages = total_pages


class AccountNotFound(Exception):
    """The accountId is unknown to this recipient and customer, not in the consent, or gone for good."""


class AccountUnavailable(Exception):
    """The account exists under the consent but is temporarily unavailable."""


@dataclass(frozen=True)
class Rate:
    """A unit rate in effect: dollars per kWh exclusive of GST, during `windows` (local times,
    `[start, end)`, wrapping midnight when end <= start) or all day when `windows` is empty."""

    band: str
    unit_price: Decimal
    windows: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True)
class PlanDetail:
    fuel_type: str
    is_fixed: bool
    is_green: bool
    payment_options: tuple[str, ...]
    daily_supply_charge: Decimal
    rates: tuple[Rate, ...]
    utc_offset: timedelta
    variation: str | None = None

    @property
    def is_time_of_use(self) -> bool:
        return any(rate.windows for rate in self.rates)


@dataclass(frozen=True)
class Plan:
    display_name: str
    service_point_ids: tuple[str, ...]
    start_date: date
    end_date: date | None
    detail: PlanDetail | None = None


@dataclass(frozen=True)
class Contact:
    first_name: str
    last_name: str


@dataclass(frozen=True)
class EnergyAccount:
    account_id: str
    account_number: str
    display_name: str
    open_status: str
    creation_date: date
    plans: tuple[Plan, ...]
    authorised_contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class AccountPage:
    accounts: tuple[EnergyAccount, ...]
    total_records: int
    total_pages: int


def consent_for_token(*, token: str, scope: str, now: datetime) -> models.Consent:
    """The consent a bearer token was issued for, if it may be used for `scope` at `now`.

    One query. Raises InvalidAccessToken, RecipientNotActive, ConsentRevoked, ScopeNotGranted
    (checked in that order).
    """
    access = (
        models.AccessToken.objects.select_related("consent__recipient")
        .filter(token_hash=tokens.hash_secret(token))
        .first()
    )
    if access is None or now not in ranges.Period(access.issued_at, access.expires_at):
        raise InvalidAccessToken("Unknown or expired access token")
    consent = access.consent
    if consent.recipient.status != models.DataRecipientStatus.ACTIVE:
        raise RecipientNotActive(consent.recipient.status)
    if consent.status != models.ConsentStatus.ACTIVE or now not in ranges.Period(
        consent.granted_at, consent.expires_at
    ):
        raise ConsentRevoked(f"Consent {consent.cdr_arrangement_id} is no longer authorised")
    if not SATISFYING_SCOPES[scope] & set(consent.scopes):
        raise ScopeNotGranted(f"The consent does not include {scope}")
    return consent


def energy_accounts(
    *, consent: models.Consent, open_status: str, page: int, page_size: int, as_of: datetime
) -> AccountPage:
    """One page of the energy accounts the consent covers, oldest first, with their plans.

    Three queries whatever the page size. Raises PageOutOfRange when there is at least one account
    and `page` is beyond the last page; ValueError for an unknown `open_status`.
    """
    if open_status not in OPEN_STATUS_FILTERS:
        raise ValueError(f"open_status must be one of {', '.join(OPEN_STATUS_FILTERS)}")
    statuses = {OPEN: OPEN_STATUSES, CLOSED: CLOSED_STATUSES, ALL: OPEN_STATUSES | CLOSED_STATUSES}[
        open_status
    ]
    accounts = _consented_accounts(consent=consent).filter(status__in=statuses)
    total_records = accounts.count()
    total_pages = math.ceil(total_records / page_size)
    if total_records and page > total_pages:
        raise PageOutOfRange(total_pages)
    offset = (page - 1) * page_size
    rows = accounts.order_by("created_at", "pk").prefetch_related(
        _agreements_prefetch(consent=consent, with_rates=False)
    )[offset : offset + page_size]
    return AccountPage(
        accounts=tuple(_energy_account(account=account, as_of=as_of, detailed=False) for account in rows),
        total_records=total_records,
        total_pages=total_pages,
    )


def energy_account(*, consent: models.Consent, account_id: str, as_of: datetime) -> EnergyAccount:
    """One energy account the consent covers, with plan detail and authorised contacts.

    A constant number of queries. Raises AccountNotFound, AccountUnavailable.
    """
    account = (
        _consented_accounts(consent=consent)
        .filter(cdr_account_id=account_id)
        .prefetch_related(
            _agreements_prefetch(consent=consent, with_rates=True),
            Prefetch(
                "user_roles",
                queryset=accounts_models.AccountUserRole.objects.exclude(user_id=consent.customer_id)
                .select_related("user")
                .order_by("created_at", "pk"),
                to_attr="cdr_roles",
            ),
            Prefetch(
                "payment_methods",
                queryset=accounts_models.PaymentMethod.objects.filter(
                    status=accounts_models.PaymentMethodStatus.ACTIVE
                ).order_by("pk"),
                to_attr="cdr_payment_methods",
            ),
        )
        .first()
    )
    if account is None or account.status == accounts_models.AccountStatus.VOID:
        raise AccountNotFound(account_id)
    if account.status in UNAVAILABLE_STATUSES:
        raise AccountUnavailable(account_id)
    return _energy_account(account=account, as_of=as_of, detailed=True)


def _consented_accounts(*, consent: models.Consent) -> QuerySet[accounts_models.Account]:
    """The consent's accounts, annotated with the accountId its recipient sees for its customer."""
    identifiers = models.AccountIdentifier.objects.filter(
        account=OuterRef("pk"), recipient_id=consent.recipient_id, customer_id=consent.customer_id
    )
    return (
        accounts_models.Account.objects.filter(cdr_consents=consent)
        .annotate(cdr_account_id=Subquery(identifiers.values("cdr_account_id")[:1]))
        .filter(cdr_account_id__isnull=False)
    )


def _agreements_prefetch(*, consent: models.Consent, with_rates: bool) -> Prefetch:
    """The AU agreements, each annotated with the servicePointId the consent's recipient sees for its
    meter point. A meter point without one (added since `operations.assign_service_point_ids` ran) is
    left out rather than shown by its NMI."""
    identifiers = models.ServicePointIdentifier.objects.filter(
        meter_point=OuterRef("meter_point_id"),
        recipient_id=consent.recipient_id,
        customer_id=consent.customer_id,
    )
    agreements = (
        billing_models.Agreement.objects.filter(meter_point__market=metering_models.Market.AU)
        .annotate(cdr_service_point_id=Subquery(identifiers.values("cdr_service_point_id")[:1]))
        .filter(cdr_service_point_id__isnull=False)
        .select_related("tariff__product")
        .order_by("active_from", "pk")
    )
    if with_rates:
        agreements = agreements.prefetch_related(
            Prefetch(
                "tariff__rates", queryset=billing_models.TariffRate.objects.order_by("band", "active_from")
            )
        )
    return Prefetch("agreements", queryset=agreements, to_attr="cdr_agreements")


def _energy_account(*, account: accounts_models.Account, as_of: datetime, detailed: bool) -> EnergyAccount:
    current = [
        agreement
        for agreement in account.cdr_agreements
        if ranges.Period(agreement.active_from, agreement.active_to).overlaps(ranges.Period(as_of))
    ]
    by_tariff: dict[int, list[billing_models.Agreement]] = defaultdict(list)
    for agreement in current:
        by_tariff[agreement.tariff_id].append(agreement)
    payment_options = ()
    if detailed:
        payment_options = tuple(
            dict.fromkeys(PAYMENT_OPTIONS[method.method_type] for method in account.cdr_payment_methods)
        ) or ("OTHER",)
    plans = tuple(
        _plan(agreements=agreements, as_of=as_of, payment_options=payment_options if detailed else None)
        for agreements in by_tariff.values()
    )
    contacts = ()
    if detailed:
        contacts = tuple(
            Contact(first_name=role.user.first_name, last_name=role.user.last_name)
            for role in account.cdr_roles
            if role.user.last_name
        )
    return EnergyAccount(
        account_id=account.cdr_account_id,
        account_number=account.number,
        display_name=account.billing_name,
        open_status=OPEN if account.status in OPEN_STATUSES else CLOSED,
        creation_date=account.created_at.astimezone(CDR_TIME_ZONE).date(),
        plans=plans,
        authorised_contacts=contacts,
    )


def _plan(
    *, agreements: list[billing_models.Agreement], as_of: datetime, payment_options: tuple[str, ...] | None
) -> Plan:
    tariff = agreements[0].tariff
    starts_at = min(agreement.active_from for agreement in agreements)
    ends = [agreement.active_to for agreement in agreements]
    end_date = None
    if all(end is not None for end in ends):
        # The last day the plan applies: the periods are half-open, so the instant before the end.
        end_date = (max(ends) - timedelta(microseconds=1)).astimezone(CDR_TIME_ZONE).date()
    detail = None
    if payment_options is not None:
        detail = _plan_detail(tariff=tariff, as_of=max(as_of, starts_at), payment_options=payment_options)
    return Plan(
        display_name=tariff.product.display_name,
        service_point_ids=tuple(sorted({agreement.cdr_service_point_id for agreement in agreements})),
        start_date=starts_at.astimezone(CDR_TIME_ZONE).date(),
        end_date=end_date,
        detail=detail,
    )


def _plan_detail(
    *, tariff: billing_models.Tariff, as_of: datetime, payment_options: tuple[str, ...]
) -> PlanDetail:
    product = tariff.product
    in_effect = [
        rate for rate in tariff.rates.all() if as_of in ranges.Period(rate.active_from, rate.active_to)
    ]
    is_gas = tariff.utility_type == metering_models.UtilityType.GAS
    if is_gas:
        # Gas contracts are SINGLE_RATE in the CDS: time-of-use bands do not apply.
        in_effect = [rate for rate in in_effect if rate.start_time is None]
    windowed = [(rate.start_time, rate.end_time) for rate in in_effect if rate.start_time is not None]
    rest_of_day = _complement(windowed) if windowed else ()
    rates = []
    for rate in in_effect:
        windows = ((rate.start_time, rate.end_time),) if rate.start_time is not None else rest_of_day
        if windowed and not windows:
            continue  # an all-day band that the time-of-use bands leave no time for
        rates.append(
            Rate(band=rate.band, unit_price=_major_units(rate.unit_rate, tariff.currency), windows=windows)
        )
    return PlanDetail(
        fuel_type="GAS" if is_gas else "ELECTRICITY",
        is_fixed=not product.is_variable,
        variation=VARIATION_POLICY if product.is_variable else None,
        is_green=product.is_green,
        payment_options=payment_options,
        daily_supply_charge=_major_units(tariff.standing_charge, tariff.currency),
        rates=tuple(rates),
        utc_offset=as_of.astimezone(CDR_TIME_ZONE).utcoffset(),
    )


def _major_units(minor_units: Decimal, currency: str) -> Decimal:
    """Exact: a power-of-ten shift, no rounding."""
    return minor_units.scaleb(-money.exponent(currency))


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _complement(windows: list[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """The parts of the day that no `[start, end)` window covers (a window wraps midnight when
    end <= start), as windows of the same form."""
    covered = []
    for start, end in windows:
        start_s, end_s = _seconds(start), _seconds(end)
        if start_s < end_s:
            covered.append((start_s, end_s))
        else:
            covered.extend([(start_s, SECONDS_PER_DAY), (0, end_s)])
    gaps, cursor = [], 0
    for start_s, end_s in sorted(covered):
        if start_s > cursor:
            gaps.append((cursor, start_s))
        cursor = max(cursor, end_s)
    if cursor < SECONDS_PER_DAY:
        gaps.append((cursor, SECONDS_PER_DAY))
    if len(gaps) > 1 and gaps[0][0] == 0 and gaps[-1][1] == SECONDS_PER_DAY:
        gaps = [(gaps[-1][0], gaps[0][1]), *gaps[1:-1]]
    return tuple((_time(start_s), _time(end_s)) for start_s, end_s in gaps)


def _time(seconds: int) -> time:
    seconds %= SECONDS_PER_DAY
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
