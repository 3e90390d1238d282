"""Server processes freeze what they loaded, so full garbage collections skip it (kraken/heap.py)."""

import json
import subprocess
import sys

from tests.celery_worker import PROJECT_DIR, worker_environment

WEB_PROCESS = """
import gc, json, sys
import kraken.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "schema": "kraken.graphql.schema" in sys.modules}))
"""


def test_a_web_process_loads_every_view_and_the_schema_then_freezes_them():
    output = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS],
        cwd=PROJECT_DIR,
        env=worker_environment(),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    loaded = json.loads(output.strip().splitlines()[-1])

    assert loaded["schema"]
    assert loaded["frozen"] > 100_000
