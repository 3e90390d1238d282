"""A real LocalPay server process for the payment tests: real HTTP, no in-process mock."""

import subprocess
import sys

import pytest
import requests

from tests.celery_worker import PROJECT_DIR


class LocalPay:
    def __init__(self, url: str) -> None:
        self.url = url

    def behave(self, *, mode: str, count: int = 1, delay: float = 5) -> None:
        requests.post(
            f"{self.url}/_control/behaviour", json={"mode": mode, "count": count, "delay": delay}, timeout=5
        ).raise_for_status()

    def requests(self) -> list[dict]:
        return requests.get(f"{self.url}/_control/requests", timeout=5).json()["requests"]

    def charges(self) -> list[dict]:
        return requests.get(f"{self.url}/_control/charges", timeout=5).json()["charges"]

    def reset(self) -> None:
        requests.post(f"{self.url}/_control/reset", timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def localpay_server():
    process = subprocess.Popen(
        [sys.executable, "-m", "billing.vendors.localpay_server", "--port", "0"],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"LocalPay did not start: {line!r}")
        yield LocalPay(line.rsplit(" ", 1)[1].strip())
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def localpay(localpay_server, settings):
    """The LocalPay server, emptied, with the adapter pointed at it and a short client timeout."""
    localpay_server.reset()
    settings.LOCALPAY_URL = localpay_server.url
    settings.LOCALPAY_TIMEOUT_SECONDS = 1
    return localpay_server
