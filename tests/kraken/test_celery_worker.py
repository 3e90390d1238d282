import pytest
from django.conf import settings

from kraken import tasks
from tests.celery_worker import purge_queues, running_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_from_redis(tmp_path):
    purge_queues([settings.DEFAULT_QUEUE])
    with running_worker(queues=[settings.DEFAULT_QUEUE], tmp_dir=tmp_path) as worker:
        tasks.ping.apply_async(kwargs={}, queue=settings.DEFAULT_QUEUE)

        from tests.celery_worker import wait_for

        wait_for(
            lambda: "kraken.ping" in worker.log() and "succeeded" in worker.log(), timeout=30, message="ping"
        )
