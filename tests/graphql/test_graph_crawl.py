"""The graph crawl of `make test`: ../shared/tools/graph_crawl.py, unmodified, run against pytest-django's
live server holding demo-style data (crawl_data.py). It queries every root and every field it can
reach, as a client would, and the test fails on any error, any null in a non-null field, or a root
left uncrawled. Views and non-null fields are checked as they are answered (tests run with
GRAPHQL_CHECK_VIEWS), so a resolver breaking the contract fails here too."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from tests.graphql import crawl_data

SHARED = settings.BASE_DIR.parent / "shared"
CRAWLER = SHARED / "tools" / "graph_crawl.py"
CONTRACT = SHARED / "spec" / "customer-graph.graphql"


@pytest.mark.skipif(not CRAWLER.exists(), reason="contract tooling not checked out next to the project")
def test_the_crawl_of_every_root_finds_no_error_and_no_null_in_a_non_null_field(
    live_server, transactional_db, tmp_path
):
    customer = crawl_data.build(now=timezone.now())
    report = tmp_path / "crawl.json"

    finished = subprocess.run(
        [
            sys.executable,
            str(CRAWLER),
            live_server.url,
            "--schema",
            str(CONTRACT),
            "--email",
            customer.email,
            "--password",
            customer.password,
            "--json",
            str(report),
            # The crawler's own estimate of what it spends (every object field, five rows a page);
            # its default of 20,000 runs out before it has asked for every field of this data.
            "--budget",
            "60000",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert report.exists(), finished.stderr
    crawl = json.loads(report.read_text(encoding="utf-8"))
    summary = finished.stdout.strip().splitlines()[-1]
    assert crawl["accounts"] == [customer.account_number]
    assert crawl["errors"] == [], finished.stdout
    assert crawl["non_null_violations"] == [], finished.stdout
    assert crawl["roots_skipped"] == {} and crawl["stopped"] is None, finished.stdout
    assert summary.startswith("graph-crawl: 0 errors, 42 of 42 roots crawled"), finished.stdout
    assert finished.returncode == 0
