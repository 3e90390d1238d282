import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

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


@worker_process_init.connect
def _keep_database_connections(**kwargs) -> None:
    """A pool process reuses its database connection across tasks (settings: CELERY_DB_REUSE_MAX
    keeps Celery's fixup from closing it) for CELERY_WORKER_CONN_MAX_AGE seconds."""
    from django.conf import settings
    from django.db import connections

    for connection in connections.all():
        connection.settings_dict["CONN_MAX_AGE"] = settings.CELERY_WORKER_CONN_MAX_AGE


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    """Around each task a worker runs, as Django does around each request: close a connection that
    broke (a task that failed on it, a server restart) or outlived its age; the next query opens a
    fresh one. Not for a task run eagerly, inside its caller's transaction."""
    from django.db import close_old_connections

    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
