"""Forms of the billing back office. Periods are typed as whole local days (first and last day, both
included) and become half-open `[first midnight, midnight after the last day)` in the billing zone."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

from accounts import models as accounts_models
from billing import models, queries
from kernel import admin as kernel_admin
from kernel import clock, money, ranges

EARLIEST_DAY = dt.date(1990, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
MAX_PERIOD_DAYS = 400


class LocalDaysForm(forms.Form):
    first_day = forms.DateField(help_text="First day billed (from local midnight)")
    last_day = forms.DateField(help_text="Last day billed, included (to the following local midnight)")

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first is None or last is None:
            return data
        if not (EARLIEST_DAY <= first <= LATEST_DAY and EARLIEST_DAY <= last <= LATEST_DAY):
            self.add_error(
                None, f"Days must fall between {EARLIEST_DAY:%-d %b %Y} and {LATEST_DAY:%-d %b %Y}."
            )
        elif last < first:
            self.add_error("last_day", "The last day cannot come before the first.")
        elif (last - first).days >= MAX_PERIOD_DAYS:
            self.add_error("last_day", f"A period is at most {MAX_PERIOD_DAYS} days.")
        else:
            tz = queries.billing_time_zone()
            data["period"] = ranges.Period(clock.midnight(first, tz), clock.next_midnight(last, tz))
        return data


class BillPreviewForm(LocalDaysForm):
    account_number = forms.CharField(max_length=10)

    field_order = ["account_number", "first_day", "last_day"]

    def clean(self):
        data = super().clean()
        number = data.get("account_number", "").strip().upper()
        if number:
            account = accounts_models.Account.objects.filter(number=number).first()
            if account is None:
                self.add_error("account_number", "No account has this number")
            data["account"] = account
        return data


class BillNowForm(kernel_admin.IdempotentForm, LocalDaysForm):
    """Issue one bill now. A second submission of the page finds the period billed (the database
    refuses overlapping live bills) and issues nothing."""


class CollectForm(kernel_admin.IdempotentForm):
    bill = forms.ModelChoiceField(queryset=models.Bill.objects.none(), empty_label=None)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bill"].queryset = queries.collectable_bills_of_account(account_id=account.pk)
        self.fields["bill"].label_from_instance = _bill_label

    def clean(self):
        data = super().clean()
        if not self.fields["bill"].queryset.exists():
            self.add_error(None, "This account has no issued bill to collect.")
        return data


def _bill_label(bill: models.Bill) -> str:
    return f"{bill} · {money.format_amount(minor_units=bill.total, currency=bill.currency)}"


class BillingRunForm(LocalDaysForm, forms.ModelForm):
    account_numbers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Bill only these accounts (one number a line or comma-separated); empty bills every active account.",
    )

    class Meta:
        model = models.BillingRun
        fields = ("chunk_size", "hold_for_review")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hold_for_review"].initial = settings.BILLING_HOLD_BILLS_FOR_REVIEW
        self.fields["chunk_size"].validators.append(MaxValueValidator(10_000))

    def clean_account_numbers(self) -> list[str]:
        numbers = [
            number.strip().upper()
            for number in self.cleaned_data["account_numbers"].replace(",", "\n").split()
        ]
        unknown = set(numbers) - set(
            accounts_models.Account.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        if unknown:
            raise forms.ValidationError(f"Unknown accounts: {', '.join(sorted(unknown))}")
        return numbers


class DiscardHeldBillsForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        validators=[kernel_admin.storable_text],
        help_text="Why none of the held bills is issued",
    )
