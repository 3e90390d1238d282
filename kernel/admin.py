"""Back-office building blocks every app's admin uses: read-only tables, actions that ask for input
and confirmation, money typed in pounds and pence, idempotency tokens on forms, periods shown as
local whole days, and permission checks. Infrastructure only: no business rule lives here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from kernel import money, sanitise

CONFIRM_FIELD = "confirmed"


# --- Read-only tables -------------------------------------------------------------------------------


class _ViewOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_ViewOnly, admin.ModelAdmin):
    """For records written only by operations (ledger entries, audit rows, payments, run items):
    viewable, never added, changed or deleted through the admin."""


class ReadOnlyTabularInline(_ViewOnly, admin.TabularInline):
    """An inline table of rows the parent page shows but never edits."""

    extra = 0
    max_num = 0
    can_delete = False


def money_column(field: str, description: str, *, currency: str = "currency"):
    """An admin column (or read-only field) showing the minor units in `field` as pounds and pence,
    in the currency named by the attribute path `currency` (e.g. "bill.currency")."""

    @admin.display(description=description, ordering=field)
    def column(self, obj) -> str:
        minor_units = getattr(obj, field)
        if minor_units is None:
            return ""
        code = obj
        for part in currency.split("."):
            code = getattr(code, part)
        return money.format_amount(minor_units=minor_units, currency=code)

    return column


def require_permission(request: HttpRequest, permission: str) -> None:
    """Raise PermissionDenied (HTTP 403) unless the staff user holds `permission` ("app.codename")."""
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm(permission)):
        raise PermissionDenied(f"You need the {permission} permission for this.")


# --- Forms: money and idempotency -------------------------------------------------------------------


def storable_text(value: str) -> None:
    """A validator for free-text fields (reasons, descriptions, notes): text no column should hold
    (a NUL, a lone surrogate, another control character; `kernel.sanitise`) is a form error."""
    if (problem := sanitise.text_problem(value)) is not None:
        raise forms.ValidationError(f"This text {problem}.", code="unstorable_text")


class MoneyAmountField(forms.CharField):
    """An amount typed in major units ("12.50", "1,250.00", "£12.50"): cleaned to a `Decimal`, never a
    float. The syntax is checked here against the most decimals any currency has; the form checks the
    chosen currency's decimals and limits in `clean` (see `to_minor_units`)."""

    MAX_LENGTH = 32

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "In pounds and pence (or the account's currency), e.g. 12.50")
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": str(self.MAX_LENGTH), "inputmode": "decimal"})

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > self.MAX_LENGTH:
            raise forms.ValidationError("That is not an amount of money.", code="invalid_amount")
        try:
            return money.parse_major_units(text, currency="GBP")
        except money.InvalidAmount as error:
            raise forms.ValidationError(str(error), code="invalid_amount") from error


def to_minor_units(form: forms.Form, *, field: str, currency: str) -> int | None:
    """The form's `field` amount in minor units of `currency`, or None after adding the form error
    (too many decimals for the currency, nothing to move)."""
    amount: Decimal | None = form.cleaned_data.get(field)
    if amount is None:
        return None
    try:
        amount = money.parse_major_units(str(amount), currency=currency)
    except (money.InvalidAmount, money.UnknownCurrency) as error:
        form.add_error(field, str(error))
        return None
    minor_units = money.to_minor_units(amount=amount, currency=currency)
    if minor_units <= 0:
        form.add_error(field, "Enter an amount greater than zero.")
        return None
    return minor_units


class IdempotentForm(forms.Form):
    """A form whose page carries a fresh token: the operation it feeds is keyed on it, so submitting
    the same page twice (a double click, a re-sent POST) acts once."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(r"^[0-9a-f]{32}$", "This form has expired; open it again.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


# --- Actions that ask first ---------------------------------------------------------------------------


def confirmed_action(
    *,
    form_class: type[forms.Form],
    description: str,
    perform: Callable[[admin.ModelAdmin, HttpRequest, QuerySet, forms.Form], str],
    permissions: tuple[str, ...] = ("change",),
):
    """Build an admin action: form page → confirmation → `perform(...)`, whose return is the success
    message. `form_class.__init__` receives `queryset=` so it can validate against the rows. Bad
    input re-renders the form with its errors and nothing is written; a ValueError from `perform`
    (an anticipated refusal of the operation) becomes a form error too."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
        form = form_class(request.POST if CONFIRM_FIELD in request.POST else None, queryset=queryset)
        if CONFIRM_FIELD in request.POST and form.is_valid():
            try:
                message = perform(modeladmin, request, queryset, form)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
                return None
        return TemplateResponse(
            request,
            "admin/confirm_action.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "form": form,
                "queryset": queryset,
                "opts": modeladmin.model._meta,
                "action_name": action.__name__,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "confirm_field": CONFIRM_FIELD,
            },
        )

    action.__name__ = perform.__name__
    return admin.action(description=description, permissions=permissions)(action)


def object_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    obj,
    form: forms.Form,
    title: str,
    permission: str,
    perform: Callable[[forms.Form], str],
    intro: str = "",
    submit_label: str = "Confirm",
) -> HttpResponse:
    """A page that acts on one object (an account's "Adjust balance", a run's "Release bills"): the
    form on GET, `perform(form)` on a valid POST, then back to the object's page with its message.
    A ValueError from `perform` (the operation's anticipated refusal) is shown as a form error and
    nothing is written. Raises PermissionDenied without `permission`."""
    require_permission(request, permission)
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(form)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            modeladmin.message_user(request, message, messages.SUCCESS)
            opts = modeladmin.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
    return TemplateResponse(
        request,
        "admin/object_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "original": obj,
            "opts": modeladmin.model._meta,
            "submit_label": submit_label,
        },
    )


# --- Showing periods ----------------------------------------------------------------------------------


def format_period(start: datetime, end: datetime | None, tz: tzinfo) -> str:
    """`[start, end)` as a person reads it in `tz`: whole local days when both ends fall on local
    midnight ("1 Jan 2024 – 31 Jan 2024", the end day included), else local date-times."""
    local_start = start.astimezone(tz)
    local_end = end.astimezone(tz) if end is not None else None
    whole_days = local_start.timetz().replace(tzinfo=None) == time.min and (
        local_end is None or local_end.timetz().replace(tzinfo=None) == time.min
    )
    if whole_days:
        first = f"{local_start:%-d %b %Y}"
        if local_end is None:
            return f"{first} onwards"
        last_day = (local_end - timedelta(days=1)).date()
        return first if last_day == local_start.date() else f"{first} – {last_day:%-d %b %Y}"
    first = f"{local_start:%-d %b %Y %H:%M}"
    return f"{first} onwards" if local_end is None else f"{first} – {local_end:%-d %b %Y %H:%M}"
