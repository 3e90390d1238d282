"""/cds-au/v1/: the CDS energy account endpoints; any other path is Resource/NotFound."""

from django.urls import path, re_path

from cdr.api import views

urlpatterns = [
    path("energy/accounts", views.energy_accounts, name="cdr-energy-accounts"),
    path("energy/accounts/<str:account_id>", views.energy_account_detail, name="cdr-energy-account-detail"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="cdr-not-found"),
]
