"""The billing lease sweep as a django-celery-beat row (every 30 s, visible and editable in admin),
and billing's scheduled tasks routed by settings: 0003 stored the queue names "billing" and
"payments" on its rows, which bypass this stack's queue names (suffixed by KRAKEN_INSTANCE), so
their tasks went to queues no worker of the stack reads. An empty queue means the task's declared
queue."""

from django.db import migrations

SWEEP = {
    "name": "billing: re-queue expired billing and collection leases",
    "task": "billing.requeue_expired_leases",
    "interval": {"every": 30, "period": "seconds"},
    "description": (
        "Every 30 s, hand billing run items and collection attempts whose worker was lost (lease "
        "expired) to another worker, resume runs whose fan-out was lost, and record FAILED the run "
        "items that lost three workers."
    ),
}
ROUTED_BY_SETTINGS = {
    "billing: monthly billing run": "billing",
    "billing: collect due payments": "payments",
}


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(**SWEEP["interval"])
    PeriodicTask.objects.get_or_create(
        name=SWEEP["name"],
        defaults={
            "task": SWEEP["task"],
            "interval": interval,
            "kwargs": "{}",
            "description": SWEEP["description"],
        },
    )
    for name, queue in ROUTED_BY_SETTINGS.items():
        PeriodicTask.objects.filter(name=name, queue=queue).update(queue=None)


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SWEEP["name"]).delete()
    for name, queue in ROUTED_BY_SETTINGS.items():
        PeriodicTask.objects.filter(name=name, queue__isnull=True).update(queue=queue)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_work_leases_and_dunning"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
