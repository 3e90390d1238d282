"""The back office's admin site: the index is arranged by what ops staff do (customers, billing,
payments, imports, devices, CDR, settings), with the tables only developers need out of the way.

Models are named by label here, so this module imports no app and can be loaded before the apps.
"""

from __future__ import annotations

from django.contrib import admin

# (section, [model labels]) in the order ops staff meet them; a model listed nowhere goes to the
# last section, "Developer tables".
SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Customers",
        [
            "accounts.account",
            "accounts.property",
            "accounts.address",
            "metering.meterpoint",
            "metering.meter",
            "metering.reading",
            "accounts.accountnote",
            "accounts.auditentry",
            "accounts.user",
        ],
    ),
    (
        "Billing",
        [
            "billing.billingrun",
            "billing.billingrunitem",
            "billing.bill",
            "billing.agreement",
            "billing.product",
            "billing.tariff",
        ],
    ),
    (
        "Payments",
        [
            "accounts.ledgeradjustment",
            "billing.payment",
            "billing.paymentcollectionattempt",
            "accounts.paymentmethod",
            "accounts.ledgerentry",
            "accounts.ledger",
        ],
    ),
    (
        "Imports",
        [
            "imports.importprocess",
            "imports.accountimportprocess",
            "imports.importsupplier",
            "imports.importapikey",
        ],
    ),
    (
        "Devices",
        [
            "devices.device",
            "devices.dispatch",
            "devices.savingsessionevent",
            "devices.savingsessionenrolment",
            "devices.heatpumpcontroller",
            "devices.devicevariant",
            "metering.smartmeterdevice",
            "metering.smartdeviceregistration",
        ],
    ),
    ("CDR", ["cdr.consent", "cdr.datarecipient", "cdr.accesstoken"]),
    (
        "Settings",
        [
            "auth.group",
            "imports.importconfiguration",
            "django_celery_beat.periodictask",
            "django_celery_beat.crontabschedule",
            "django_celery_beat.intervalschedule",
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
        ],
    ),
]
DEVELOPER_TABLES = "Developer tables"


class OpsAdminSite(admin.AdminSite):
    site_header = "Kraken core back office"
    site_title = "Kraken core"
    index_title = "What do you need to do?"

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = {
            f"{app['app_label']}.{model['object_name'].lower()}": model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        placed: set[str] = set()
        sections = []
        for name, labels in SECTIONS:
            entries = [models[label] for label in labels if label in models]
            placed.update(labels)
            sections.append(_section(name, entries))
        rest = sorted(
            (model for label, model in models.items() if label not in placed), key=lambda m: m["name"]
        )
        sections.append(_section(DEVELOPER_TABLES, rest))
        return [section for section in sections if section["models"]]


def _section(name: str, models: list[dict]) -> dict:
    return {
        "name": name,
        "app_label": name.lower().replace(" ", "_"),
        "app_url": "",
        "has_module_perms": True,
        "models": models,
    }
