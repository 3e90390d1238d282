import pathlib
import subprocess
import sys

import pytest
from django.conf import settings

from kraken.graphql import schema

CONTRACT_TOOL = settings.BASE_DIR.parent / "shared" / "tools" / "check_graphql_contract.py"


class TestCommittedSchema:
    def test_is_what_the_code_prints(self):
        committed = (settings.BASE_DIR / "schema.graphql").read_text(encoding="utf-8")

        printed = schema.print_schema()

        assert committed == printed, (
            "schema.graphql is stale: run `python -m kraken.graphql > schema.graphql`"
        )

    @pytest.mark.skipif(
        not CONTRACT_TOOL.exists(), reason="contract tooling not checked out next to the project"
    )
    def test_covers_the_whole_contract(self):
        result = subprocess.run(
            [sys.executable, str(CONTRACT_TOOL), str(pathlib.Path(settings.BASE_DIR) / "schema.graphql")],
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.stdout.strip().splitlines()[-1] == "contract: 4048 of 4048 items present", result.stdout
        assert result.returncode == 0
