"""The settings tests run with (pytest-django's DJANGO_SETTINGS_MODULE): the project's own, in a
fresh Redis namespace per run, so `make test` beside a running `make run` neither takes nor purges
the stack's queued tasks, and two test runs never share queues.

`KRAKEN_INSTANCE` (see kraken/settings.py) suffixes the queue names and prefixes every broker and
cache key; the worker processes tests start inherit it through the environment.
"""

import os
import uuid

os.environ["KRAKEN_INSTANCE"] = f"test-{uuid.uuid4().hex[:12]}"

from kraken.settings import *  # noqa: E402, F403

# Factories hash a password per user; PBKDF2's deliberate slowness buys tests nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Every GraphQL view the tests build is checked against the contract (kernel.graphql.binding).
GRAPHQL_CHECK_VIEWS = True

# Flushes by DELETE (tests/postgresql/base.py): each transactional test's flush in a tenth of the time.
DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
