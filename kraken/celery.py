import os

from celery import Celery
from celery.signals import worker_process_init

from kraken import heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kraken.settings")

app = Celery("kraken")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_loaded_objects(**kwargs) -> None:
    """A pool process starts with the tasks and their modules loaded: keep them out of the garbage
    collector's walks (kraken/heap.py)."""
    heap.freeze_loaded_objects()
