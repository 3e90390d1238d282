"""Fuzzing the back office's money forms (issue 13, item 7): hypothesis injects NUL characters, lone
surrogates, control characters, huge, negative and non-finite amounts and impossible dates into valid
posts of the ledger adjustment, the account status change, the billing run and "bill now" pages, sent
as a browser sends a form (percent-encoded UTF-8). Every answer is the form again with its errors, and
nothing is written (ledger entries, adjustments, audit rows, notes, runs, bills); never a 500."""

from __future__ import annotations

import urllib.parse
import uuid

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts import models as account_models
from billing import models as billing_models
from tests import fuzzing as F
from tests.billing.factories import billable_account

pytestmark = pytest.mark.django_db
NUMBERS = (F.HUGE_NUMBER, F.NEGATIVE_NUMBER)
# Fields whose text is free: a lone surrogate arrives as U+FFFD (broken UTF-8 is decoded so), which
# is storable text like any other, so only NUL and control characters must be refused there.
FREE_TEXT = {"description", "reason"}


@pytest.fixture(scope="module", autouse=True)
def _write_tally():
    yield
    F.write_tally()


def _valid(door: str, account) -> dict:
    return {
        "adjust": {
            "direction": "CREDIT",
            "amount": "12.50",
            "currency": account.currency,
            "description": "Goodwill",
            "idempotency_key": uuid.uuid4().hex,
        },
        "status": {"status": "CLOSED", "reason": "Customer asked"},
        "billing run": {
            "first_day": "2024-01-01",
            "last_day": "2024-01-31",
            "account_numbers": account.number,
            "chunk_size": "100",
        },
        "bill now": {
            "first_day": "2024-01-01",
            "last_day": "2024-01-31",
            "idempotency_key": uuid.uuid4().hex,
        },
    }[door]


def _url(door: str, account) -> str:
    if door == "billing run":
        return reverse("admin:billing_billingrun_add")
    name = {"adjust": "adjust", "status": "status", "bill now": "bill"}[door]
    return reverse(f"admin:accounts_account_{name}", args=[account.pk])


def _places(door: str, kind: str) -> list[str]:
    fields = list(_valid(door, _Any()))
    if kind in F.TEXT_CLASSES:
        return [f for f in fields if not (kind == F.SURROGATE and f in FREE_TEXT)]
    if kind in NUMBERS:
        return [f for f in fields if f in ("amount", "chunk_size", "first_day", "last_day")]
    return [f for f in fields if f.endswith("_day")]


class _Any:
    currency = "GBP"
    number = "A-00000000"


def _hostile(data, kind: str, field: str) -> str:
    if kind in F.TEXT_CLASSES:
        return data.draw(F.hostile_text(kind))
    if kind == F.HUGE_NUMBER:
        return data.draw(
            st.one_of(
                F.huge_number().map(str),
                st.sampled_from(["1e400", "9" * 5000, "NaN", "Infinity", "-inf", "1E+999999"]),
            )
        )
    if kind == F.NEGATIVE_NUMBER:
        return data.draw(F.negative_number().map(str) | st.sampled_from(["-0.01", "-12.50", "−5"]))
    return data.draw(F.impossible_date())


def _form_body(data: dict) -> str:
    """The body a browser sends: each value percent-encoded as UTF-8 (a lone surrogate as the bytes
    UTF-8 would give it, which no valid UTF-8 holds)."""
    return "&".join(
        f"{key}={urllib.parse.quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for key, value in data.items()
    )


def written() -> dict:
    counts = {
        model.__name__: model.objects.count()
        for model in (
            account_models.LedgerEntry,
            account_models.LedgerAdjustment,
            account_models.AuditEntry,
            account_models.AccountNote,
            billing_models.BillingRun,
            billing_models.Bill,
        )
    }
    counts["statuses"] = list(account_models.Account.objects.order_by("pk").values_list("status", flat=True))
    return counts


def _form_errors(response):
    context = response.context
    form = context.get("adminform").form if context.get("adminform") else context["form"]
    return form.errors


@pytest.fixture
def account(db):
    return billable_account()


@pytest.mark.parametrize("door", ["adjust", "status", "billing run", "bill now"])
@F.FUZZ_SETTINGS
@given(data=st.data())
def test_hostile_input_re_renders_the_form_with_an_error_and_writes_nothing(
    staff_client, account, door, data
):
    kind = data.draw(
        st.sampled_from([k for k in (*F.TEXT_CLASSES, *NUMBERS, F.IMPOSSIBLE_DATE) if _places(door, k)]),
        label="class",
    )
    F.tally(f"admin {door}", kind)
    field = data.draw(st.sampled_from(_places(door, kind)), label="field")
    post = {**_valid(door, account), field: _hostile(data, kind, field)}
    before = written()

    response = staff_client.post(
        _url(door, account), _form_body(post), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert _form_errors(response)
    # A field's errors as Django lists them; the hidden token's as the page's error note.
    assert b"errorlist" in response.content or b'class="errornote"' in response.content
    assert written() == before


@pytest.mark.parametrize(("door", "field"), [("adjust", "description"), ("status", "reason")])
@pytest.mark.parametrize("text", ["Good\x07will", "Good\x00will", "\x1bwill", "Goodwill\x7f"])
def test_free_text_holding_a_control_character_is_a_form_error(staff_client, account, door, field, text):
    post = {**_valid(door, account), field: text}
    before = written()

    response = staff_client.post(
        _url(door, account), _form_body(post), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert field in _form_errors(response)
    assert written() == before
