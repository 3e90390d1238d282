"""Billing runs from the back office: saving the form creates a PENDING run; Start enqueues it once
(after commit, however often it is pressed); the run's page refreshes itself while it works, lists
every account's outcome with its reason, offers Resume, and Release or Discard for held bills."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from billing import models, operations, queries, tasks
from billing.admin import _forms
from kernel import admin as kernel_admin
from kernel import clock, money

START_PERMISSION = "billing.start_billingrun"
RELEASE_PERMISSION = "billing.release_billingrun"
OUTCOMES_SHOWN = 200
WORKING = (models.BillingRunStatus.PENDING, models.BillingRunStatus.RUNNING)


@admin.register(models.BillingRunItem)
class BillingRunItemAdmin(kernel_admin.ReadOnlyAdmin):
    """Every account of every run, with what happened to it and why."""

    list_display = (
        "billing_run",
        "account",
        "status",
        "bill",
        "held_total_display",
        "error_code",
        "error_detail",
        "attempts",
        "claimed_by",
        "lease_until",
    )
    list_select_related = ("billing_run", "account", "bill")
    list_filter = ("status", "error_code")
    search_fields = ("=account__number", "=billing_run__id")
    ordering = ("billing_run", "id")
    show_full_result_count = False

    held_total_display = kernel_admin.money_column(
        "held_total", "Held bill total", currency="account.currency"
    )


@admin.register(models.BillingRun)
class BillingRunAdmin(admin.ModelAdmin):
    form = _forms.BillingRunForm
    list_display = (
        "id",
        "period",
        "status",
        "origin",
        "progress",
        "held_accounts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "origin", "created_at")
    ordering = ("-created_at", "-id")
    actions = ["start_or_resume"]
    change_form_template = "admin/billing/billingrun/change_form.html"
    run_fields = (
        "period",
        "status",
        "progress",
        "hold_for_review",
        "scope",
        "origin",
        "chunk_size",
        "chunk_count",
        "total_accounts",
        "billed_accounts",
        "skipped_accounts",
        "failed_accounts",
        "held_accounts",
        "created_by",
        "created_at",
        "start_requested_at",
        "started_at",
        "released_by",
        "released_at",
        "finished_at",
    )

    def get_fields(self, request, obj=None):
        if obj:
            return self.run_fields
        return ("first_day", "last_day", "account_numbers", "chunk_size", "hold_for_review")

    def get_readonly_fields(self, request, obj=None):
        return self.run_fields if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:  # a run's page shows it; it is changed only by its actions
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_start_permission(self, request):
        return request.user.has_perm(START_PERMISSION)

    @admin.display(description="Period", ordering="period_start")
    def period(self, run: models.BillingRun) -> str:
        return kernel_admin.format_period(run.period_start, run.period_end, queries.billing_time_zone())

    @admin.display(description="Progress")
    def progress(self, run: models.BillingRun):
        done = run.billed_accounts + run.skipped_accounts + run.failed_accounts + run.held_accounts
        percent = (
            int(100 * done / run.total_accounts) if run.total_accounts else (100 if run.finished_at else 0)
        )
        return format_html(
            '<progress max="100" value="{}" title="{} of {}"></progress> <span class="run-progress">{}/{}</span>',
            percent,
            done,
            run.total_accounts,
            done,
            run.total_accounts,
        )

    def save_model(self, request, obj, form, change):
        """Saving creates the run (one operation); it starts only when someone presses Start."""
        if change:
            return
        numbers = form.cleaned_data["account_numbers"]
        run = operations.create_billing_run(
            period=form.cleaned_data["period"],
            created_at=clock.now(),
            scope={"account_numbers": numbers} if numbers else {},
            created_by=request.user,
            chunk_size=form.cleaned_data["chunk_size"],
            hold_for_review=form.cleaned_data["hold_for_review"],
        )
        obj.pk = run.pk
        obj.refresh_from_db()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if run is not None:
            context.update(
                {
                    "outcomes": _outcomes(queries.run_items(billing_run=run, limit=OUTCOMES_SHOWN)),
                    "outcomes_shown": OUTCOMES_SHOWN,
                    "items_url": reverse("admin:billing_billingrunitem_changelist")
                    + f"?billing_run__id__exact={run.pk}",
                    "refresh": run.status in WORKING
                    and (run.start_requested_at or run.status == models.BillingRunStatus.RUNNING),
                    "can_start": run.status == models.BillingRunStatus.PENDING
                    and run.start_requested_at is None
                    and request.user.has_perm(START_PERMISSION),
                    "can_resume": run.status == models.BillingRunStatus.RUNNING
                    or (run.status == models.BillingRunStatus.PENDING and run.start_requested_at is not None),
                    "can_retry": run.failed_accounts > 0
                    and run.status
                    in (models.BillingRunStatus.RUNNING, models.BillingRunStatus.COMPLETED_WITH_ERRORS)
                    and request.user.has_perm(START_PERMISSION),
                    "can_release": run.status == models.BillingRunStatus.AWAITING_REVIEW
                    and request.user.has_perm(RELEASE_PERMISSION),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context=context)

    # --- Start, resume, release, discard --------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/start/", view(self.start_view), name="billing_billingrun_start"),
            path("<int:object_id>/resume/", view(self.resume_view), name="billing_billingrun_resume"),
            path("<int:object_id>/retry/", view(self.retry_view), name="billing_billingrun_retry"),
            path("<int:object_id>/release/", view(self.release_view), name="billing_billingrun_release"),
            path("<int:object_id>/discard/", view(self.discard_view), name="billing_billingrun_discard"),
            *super().get_urls(),
        ]

    def _back(self, run_id: int):
        return HttpResponseRedirect(reverse("admin:billing_billingrun_change", args=[run_id]))

    def start_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        kernel_admin.require_permission(request, START_PERMISSION)
        run = get_object_or_404(models.BillingRun, pk=object_id)
        if operations.request_billing_run_start(
            billing_run_id=run.pk, requested_at=clock.now(), requested_by=request.user
        ):
            tasks.enqueue_billing_run(billing_run_id=run.pk)
            self.message_user(request, f"Started {run}.", messages.SUCCESS)
        else:
            self.message_user(request, f"{run} was already started; nothing more was queued.", messages.INFO)
        return self._back(run.pk)

    def resume_view(self, request, object_id):
        """Re-send a started run's pending chunks (after a worker was lost): safe to repeat, as chunks
        claim their accounts with row locks and skip what is done."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        kernel_admin.require_permission(request, START_PERMISSION)
        run = get_object_or_404(models.BillingRun, pk=object_id)
        if run.status in WORKING and (
            run.start_requested_at or run.status == models.BillingRunStatus.RUNNING
        ):
            tasks.enqueue_billing_run(billing_run_id=run.pk)
            self.message_user(request, f"Resumed {run}.", messages.SUCCESS)
        else:
            self.message_user(request, f"{run} has nothing to resume.", messages.WARNING)
        return self._back(run.pk)

    def retry_view(self, request, object_id):
        """Bill a run's FAILED accounts again (their reasons stay in the audit log and worker logs)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        kernel_admin.require_permission(request, START_PERMISSION)
        run = get_object_or_404(models.BillingRun, pk=object_id)
        try:
            retried = operations.retry_failed_items(
                billing_run_id=run.pk, retried_at=clock.now(), retried_by=request.user
            )
        except operations.NothingToRetry as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            tasks.enqueue_billing_run(billing_run_id=run.pk)
            self.message_user(request, f"Retrying {retried} failed account(s) of {run}.", messages.SUCCESS)
        return self._back(run.pk)

    def release_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        kernel_admin.require_permission(request, RELEASE_PERMISSION)
        run = get_object_or_404(models.BillingRun, pk=object_id)
        try:
            operations.release_held_bills(
                billing_run_id=run.pk, released_at=clock.now(), released_by=request.user
            )
        except operations.NotAwaitingReview as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            tasks.enqueue_billing_run(billing_run_id=run.pk)
            self.message_user(
                request, f"Released the held bills of {run}; they are being issued.", messages.SUCCESS
            )
        return self._back(run.pk)

    def discard_view(self, request, object_id):
        run = get_object_or_404(models.BillingRun, pk=object_id)
        form = _forms.DiscardHeldBillsForm(request.POST or None)

        def perform(form) -> str:
            operations.discard_held_bills(
                billing_run_id=run.pk,
                discarded_at=clock.now(),
                discarded_by=request.user,
                reason=form.cleaned_data["reason"],
            )
            return f"Discarded the held bills of {run}."

        return kernel_admin.object_action(
            self,
            request,
            obj=run,
            form=form,
            title=f"Discard the held bills of {run}",
            permission=RELEASE_PERMISSION,
            perform=perform,
            submit_label="Discard held bills",
        )

    @admin.action(description="Start or resume the selected billing runs", permissions=("start",))
    def start_or_resume(self, request, queryset):
        now, queued = clock.now(), 0
        for run in queryset.filter(status__in=WORKING):
            claimed = operations.request_billing_run_start(
                billing_run_id=run.pk, requested_at=now, requested_by=request.user
            )
            if claimed or run.status == models.BillingRunStatus.RUNNING:
                tasks.enqueue_billing_run(billing_run_id=run.pk)
                queued += 1
        self.message_user(request, f"Queued {queued} billing run(s).", messages.SUCCESS)


def _outcomes(items: list[models.BillingRunItem]) -> list[dict]:
    return [
        {
            "item": item,
            "bill_total": money.format_amount(minor_units=item.bill.total, currency=item.bill.currency)
            if item.bill
            else "",
            "held_total": money.format_amount(minor_units=item.held_total, currency=item.account.currency)
            if item.held_total is not None
            else "",
        }
        for item in items
    ]
