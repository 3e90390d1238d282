"""The imports lease sweep as a django-celery-beat row, visible and editable in admin (Periodic
tasks): every 30 s, re-queue async imports whose worker lease expired. No queue is set, so the task's
declared queue (the imports queue of this stack) is used."""

from django.db import migrations

SCHEDULE = {
    "name": "imports: re-queue expired import leases",
    "task": "imports.requeue_expired_leases",
    "interval": {"every": 30, "period": "seconds"},
    "description": (
        "Every 30 s, hand async imports whose worker was lost (lease expired) to another worker, "
        "and record ERRORED those that lost three workers."
    ),
}


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(**SCHEDULE["interval"])
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE["name"],
        defaults={
            "task": SCHEDULE["task"],
            "interval": interval,
            "kwargs": "{}",
            "description": SCHEDULE["description"],
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0006_import_work_leases"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
