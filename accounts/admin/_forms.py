"""Forms of the account actions. They check shape only (amount syntax, the currency's decimals, a
reason given); the operations decide (limits, approval, currency of the account)."""

from __future__ import annotations

from django import forms

from accounts import models
from kernel import admin as kernel_admin
from kernel import money


class LedgerAdjustmentForm(kernel_admin.IdempotentForm):
    """A positive amount in pounds and pence (or the account's currency) and which way it goes."""

    CREDIT, DEBIT = "CREDIT", "DEBIT"

    direction = forms.ChoiceField(choices=[(CREDIT, "Credit the customer"), (DEBIT, "Debit the customer")])
    amount = kernel_admin.MoneyAmountField()
    currency = forms.ChoiceField(choices=money.CURRENCY_CHOICES)
    description = forms.CharField(
        max_length=255,
        validators=[kernel_admin.storable_text],
        help_text="Why: the customer sees this on their statement",
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = list(queryset)
        currencies = {account.currency for account in self.accounts}
        if len(currencies) == 1:
            self.fields["currency"].initial = currencies.pop()

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if currency and "amount" in cleaned:
            minor_units = kernel_admin.to_minor_units(self, field="amount", currency=currency)
            if minor_units is not None:
                cleaned["minor_units"] = (
                    minor_units if cleaned.get("direction") == self.CREDIT else -minor_units
                )
        return cleaned


class AccountStatusForm(forms.Form):
    status = forms.ChoiceField(choices=models.AccountStatus.choices)
    reason = forms.CharField(
        max_length=500, validators=[kernel_admin.storable_text], widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = list(queryset)

    def clean_status(self):
        status = self.cleaned_data["status"]
        unchanged = [account.number for account in self.accounts if account.status == status]
        if unchanged:
            raise forms.ValidationError(f"Already {status}: {', '.join(unchanged)}")
        return status


class AccountNoteForm(forms.Form):
    body = forms.CharField(
        max_length=5000,
        validators=[kernel_admin.storable_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Note",
    )


class AdjustmentDecisionForm(forms.Form):
    APPROVE, REJECT = "APPROVE", "REJECT"

    decision = forms.ChoiceField(choices=[(APPROVE, "Approve and post"), (REJECT, "Reject")])
    note = forms.CharField(
        max_length=500,
        required=False,
        validators=[kernel_admin.storable_text],
        help_text="Required when rejecting",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the adjustment is rejected.")
        return cleaned
