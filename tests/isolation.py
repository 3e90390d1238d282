"""Loaded by pytest before Django (`-p tests.isolation` in pyproject): gives this test run its own
slice of the shared Redis, so `make test` beside a running `make run` neither takes nor purges the
stack's queued tasks, and two test runs never share queues.

`KRAKEN_INSTANCE` (see kraken/settings.py) suffixes the queue names and prefixes every broker and
cache key; worker processes the tests start inherit it through the environment.
"""

import os
import uuid

os.environ["KRAKEN_INSTANCE"] = f"test-{uuid.uuid4().hex[:12]}"
