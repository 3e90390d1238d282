"""The Account page of the back office: the overview ops staff live in (balance explained, ledger,
bills, payments, agreements, meter points and readings, devices, notes, audit trail) with the
account's actions as buttons. Composed here because it shows rows of every app and searches meter
points, and only the project package may import them all."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from accounts import admin as accounts_admin
from accounts import models as accounts_models
from billing import admin as billing_admin
from billing import calculation
from billing import operations as billing_operations
from billing import tasks as billing_tasks
from kernel import admin as kernel_admin
from kernel import clock
from kraken import overview
from kraken.admin import _presenters
from metering import queries as metering_queries


@admin.register(accounts_models.Account)
class AccountAdmin(accounts_admin.AccountAdmin):
    inlines = [*accounts_admin.AccountAdmin.inlines, billing_admin.AgreementInline]
    actions = [*accounts_admin.AccountAdmin.actions, "preview_bill"]

    def account_ids_by_identifier(self, term: str) -> list[int] | None:
        """Account identifiers (number, email, postcode, phone) and meter points (MPAN/MPRN/NMI): a
        string of digits may be a phone number or a meter point, so both are asked."""
        found = [
            ids
            for ids in (
                super().account_ids_by_identifier(term),
                metering_queries.account_ids_by_meter_point(term=term),
            )
            if ids is not None
        ]
        return sorted({account_id for ids in found for account_id in ids}) if found else None

    def changelist_view(self, request, extra_context=None):
        """The search box in every page's header sends `go=1`: one match opens that account."""
        if request.GET.get("go") and request.GET.get("q"):
            ids = self.account_ids_by_identifier(request.GET["q"].strip())
            if ids is not None and len(ids) == 1:
                return HttpResponseRedirect(reverse("admin:accounts_account_change", args=[ids[0]]))
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if account is not None:
            context.update(_presenters.present(overview.account_overview(account=account)))
            context["can"] = {
                "adjust": request.user.has_perm(accounts_admin.ADJUST_PERMISSION),
                "status": request.user.has_perm(accounts_admin.STATUS_PERMISSION),
                "note": request.user.has_perm(accounts_admin.NOTE_PERMISSION),
                "bill": request.user.has_perm(billing_admin.ISSUE_BILL_PERMISSION),
                "collect": request.user.has_perm(billing_admin.COLLECT_PERMISSION),
            }
        return super().change_view(request, object_id, form_url, extra_context=context)

    @admin.action(description="Preview the next bill (writes nothing)", permissions=("view",))
    def preview_bill(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one account to preview its bill.", messages.ERROR)
            return None
        return HttpResponseRedirect(
            f"{reverse('admin:billing_bill_preview')}?account_number={queryset.get().number}"
        )

    # --- Actions that need billing: bill now, collect --------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/bill/", view(self.bill_now_view), name="accounts_account_bill"),
            path("<int:object_id>/collect/", view(self.collect_view), name="accounts_account_collect"),
            *super().get_urls(),
        ]

    def bill_now_view(self, request, object_id):
        account = get_object_or_404(accounts_models.Account, pk=object_id)
        form = billing_admin.BillNowForm(request.POST or None)

        def perform(form) -> str:
            try:
                bill = billing_operations.issue_bill(
                    account=account, period=form.cleaned_data["period"], issued_at=clock.now()
                )
            except calculation.BillingError as error:
                raise ValueError(f"Not billed: {error}") from error
            return f"Issued {bill} to {account.number}."

        return kernel_admin.object_action(
            self,
            request,
            obj=account,
            form=form,
            title=f"Bill {account.number} now",
            intro="Issues one bill for whole local days and charges it to the ledger. A period already billed is refused.",
            permission=billing_admin.ISSUE_BILL_PERMISSION,
            perform=perform,
            submit_label="Issue bill",
        )

    def collect_view(self, request, object_id):
        account = get_object_or_404(accounts_models.Account, pk=object_id)
        form = billing_admin.CollectForm(request.POST or None, account=account)

        def perform(form) -> str:
            bill = form.cleaned_data["bill"]
            billing_tasks.enqueue_payment_collection(bill_id=bill.pk)
            return f"Collection of {bill} from {account.number}'s payment method is queued; it is collected at most once."

        return kernel_admin.object_action(
            self,
            request,
            obj=account,
            form=form,
            title=f"Collect a payment from {account.number}",
            intro="Asks the payment vendor for what is still owed on the bill, with an idempotency key per attempt.",
            permission=billing_admin.COLLECT_PERMISSION,
            perform=perform,
            submit_label="Collect",
        )
