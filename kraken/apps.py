from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KrakenConfig(AppConfig):
    default = True
    name = "kraken"
    verbose_name = "Kraken core"


class OpsAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin`, with the back office's own site: an index arranged by ops tasks."""

    default = False
    default_site = "kraken.admin_site.OpsAdminSite"
