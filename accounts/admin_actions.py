"""Admin actions that ask for input and confirmation on an intermediate page before they act.

Django runs an action on POST from the changelist; this helper shows a form for the selected rows
first, and only calls the operation once the form is valid and confirmed. Bad input re-renders the
form with its errors and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

CONFIRM_FIELD = "confirmed"


def confirmed_action(
    *,
    form_class: type[forms.Form],
    description: str,
    perform: Callable[[admin.ModelAdmin, HttpRequest, QuerySet, forms.Form], str],
    permissions: tuple[str, ...] = ("change",),
):
    """Build an admin action: form page → confirmation → `perform(...)`, whose return is the success
    message. `form_class.__init__` receives `queryset=` so it can validate against the rows."""

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
