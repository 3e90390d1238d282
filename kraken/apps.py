from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created

from kernel import timestamps


def _install_loaders(sender, connection, **kwargs) -> None:
    timestamps.install(connection)


class KrakenConfig(AppConfig):
    default = True
    name = "kraken"
    verbose_name = "Kraken core"

    def ready(self):
        # Django's own timestamptz loader parses every timestamp in Python (kernel.timestamps).
        connection_created.connect(_install_loaders, dispatch_uid="kernel.timestamps")


class OpsAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin`, with the back office's own site: an index arranged by ops tasks."""

    default = False
    default_site = "kraken.admin_site.OpsAdminSite"
