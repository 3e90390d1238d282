"""Billing's beat schedules as django-celery-beat rows, so ops can see, edit or disable them in admin
(Periodic tasks). Created once; later edits in admin are kept (get_or_create by name)."""

from django.db import migrations

SCHEDULES = [
    {
        "name": "billing: monthly billing run",
        "task": "billing.create_monthly_billing_run",
        "queue": "billing",
        "crontab": {
            "minute": "0",
            "hour": "2",
            "day_of_month": "1",
            "month_of_year": "*",
            "day_of_week": "*",
        },
        "description": "On the 1st at 02:00 local time, bill every active account for last month.",
    },
    {
        "name": "billing: collect due payments",
        "task": "billing.collect_due_payments",
        "queue": "payments",
        "crontab": {
            "minute": "30",
            "hour": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
        },
        "description": "Hourly, request payment of issued bills owed by accounts with an active payment method.",
    },
]


def create_schedules(apps, schema_editor):
    from django.conf import settings

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for schedule in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(**schedule["crontab"], timezone=settings.TIME_ZONE)
        PeriodicTask.objects.get_or_create(
            name=schedule["name"],
            defaults={
                "task": schedule["task"],
                "crontab": crontab,
                "queue": schedule["queue"],
                "kwargs": "{}",
                "description": schedule["description"],
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[schedule["name"] for schedule in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_billing_run_items"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
