"""The back office's staff groups (kraken/staff.py): Ops agent, Ops lead, Admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from kraken import staff


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        models_module, app_config.models_module = getattr(app_config, "models_module", None), True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    staff.ensure_staff_groups(
        group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0007_back_office"),
        ("billing", "0006_back_office"),
        ("metering", "0007_back_office"),
        ("devices", "0003_device_catalogue_heat_pump_controllers"),
        ("imports", "0004_import_configuration"),
        ("cdr", "0002_service_point_identifiers"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
