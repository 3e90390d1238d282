"""Metering's beat schedule as a django-celery-beat row, visible and editable in admin."""

from django.db import migrations

SCHEDULE = {
    "name": "metering: interval data partitions",
    "task": "metering.ensure_interval_partitions",
    "crontab": {"minute": "15", "hour": "3", "day_of_month": "*", "month_of_year": "*", "day_of_week": "*"},
    "description": "Daily at 03:15, create the monthly interval-data partitions for the next 3 months.",
}


def create_schedule(apps, schema_editor):
    from django.conf import settings

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(**SCHEDULE["crontab"], timezone=settings.TIME_ZONE)
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE["name"],
        defaults={
            "task": SCHEDULE["task"],
            "crontab": crontab,
            "kwargs": "{}",
            "description": SCHEDULE["description"],
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0004_interval_readings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
