"""The back office's staff groups in a test database, whatever earlier tests left: a transactional
test's flush can remove content types, permissions and groups, so make them all again first."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes

from kraken import staff


def ensure_staff_groups() -> None:
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    staff.ensure_staff_groups(group_model=Group, permission_model=Permission)
