"""A test run beside a running `make run` stack shares its Redis but none of its work."""

import uuid

import pytest
import redis
from django.conf import settings

from kraken import tasks
from tests.celery_worker import purge_queues, running_worker, wait_for

STACK_QUEUES = ["default", "billing", "payments", "imports"]  # a stack without KRAKEN_INSTANCE


class TestTestRunIsolation:
    def test_uses_queue_names_no_stack_uses(self):
        assert settings.INSTANCE.startswith("test-")
        assert not set(settings.ALL_QUEUES) & set(STACK_QUEUES)

    def test_keeps_broker_and_cache_keys_in_its_own_namespace(self):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == settings.REDIS_KEY_PREFIX
        assert settings.CACHES["default"]["KEY_PREFIX"] == settings.INSTANCE

    @pytest.mark.worker
    @pytest.mark.django_db(transaction=True)
    def test_purging_and_consuming_leave_a_stacks_bookkeeping_alone(self, tmp_path):
        client = redis.Redis.from_url(settings.REDIS_URL)
        stack_key = f"unacked_isolation_probe_{uuid.uuid4().hex}"  # matched by the stack's `unacked*`
        client.set(stack_key, "a stack's unacknowledged task", ex=300)
        try:
            purge_queues(settings.ALL_QUEUES)
            with running_worker(queues=[settings.DEFAULT_QUEUE], tmp_dir=tmp_path) as worker:
                tasks.ping.apply_async(kwargs={}, queue=settings.DEFAULT_QUEUE)
                wait_for(lambda: "succeeded" in worker.log(), timeout=30, message="ping")

            assert client.get(stack_key) == b"a stack's unacknowledged task"
        finally:
            client.delete(stack_key)
