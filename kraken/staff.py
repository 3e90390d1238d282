"""Staff groups of the back office and what each may do. Every admin action checks one of these
permissions (kernel.admin.require_permission, or the action's `permissions=`), so a person's groups
decide which buttons they get and which requests succeed.

- Ops agent: finds and reads customers, edits their details, asks for adjustments (posted at once
  up to the approval threshold), changes status with a reason, adds notes, bills now, collects.
- Ops lead: all of that, plus approves or rejects adjustments above the threshold (never their own),
  creates, starts, resumes and releases billing runs, and edits the catalogue.
- Admin: every permission, including settings, staff and developer tables.

Used by migration kraken 0001 (with historical models) and by tests that need the groups again
after a database flush.
"""

from __future__ import annotations

OPS_AGENT, OPS_LEAD, ADMIN = "Ops agent", "Ops lead", "Admin"

_VIEW = [
    "accounts.view_account",
    "accounts.view_accountnote",
    "accounts.view_accountuserrole",
    "accounts.view_address",
    "accounts.view_auditentry",
    "accounts.view_ledger",
    "accounts.view_ledgeradjustment",
    "accounts.view_ledgerentry",
    "accounts.view_paymentmethod",
    "accounts.view_property",
    "accounts.view_user",
    "billing.view_agreement",
    "billing.view_bill",
    "billing.view_billingrun",
    "billing.view_billingrunitem",
    "billing.view_payment",
    "billing.view_paymentcollectionattempt",
    "billing.view_product",
    "billing.view_tariff",
    "billing.view_tariffrate",
    "metering.view_meter",
    "metering.view_meterpoint",
    "metering.view_reading",
    "metering.view_register",
    "devices.view_device",
    "devices.view_dispatch",
    "imports.view_accountimportprocess",
    "imports.view_importprocess",
    "cdr.view_consent",
]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    OPS_AGENT: [
        *_VIEW,
        "accounts.change_account",
        "accounts.change_account_status",
        "accounts.add_accountnote",
        "accounts.add_ledgeradjustment",
        "accounts.add_accountuserrole",
        "accounts.change_accountuserrole",
        "accounts.add_property",
        "accounts.change_property",
        "accounts.add_address",
        "accounts.change_address",
        "billing.issue_bill",
        "billing.collect_payment",
        "billing.add_agreement",
        "billing.change_agreement",
        "metering.add_reading",
    ],
}
GROUP_PERMISSIONS[OPS_LEAD] = [
    *GROUP_PERMISSIONS[OPS_AGENT],
    "accounts.approve_ledgeradjustment",
    "accounts.change_paymentmethod",
    "billing.add_billingrun",
    "billing.start_billingrun",
    "billing.release_billingrun",
    "billing.add_product",
    "billing.change_product",
    "billing.add_tariff",
    "billing.change_tariff",
    "billing.add_tariffrate",
    "billing.change_tariffrate",
]


def ensure_staff_groups(*, group_model, permission_model) -> None:
    """Create or update the three groups. Admin gets every permission that exists now."""
    every = permission_model.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in every}
    for name, wanted in GROUP_PERMISSIONS.items():
        missing = sorted(set(wanted) - by_name.keys())
        if missing:
            raise LookupError(f"Unknown permissions for {name}: {', '.join(missing)}")
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set([by_name[label] for label in wanted])
    admin, _ = group_model.objects.get_or_create(name=ADMIN)
    admin.permissions.set(list(by_name.values()))
