from kraken.celery import app


@app.task(name="kraken.ping", acks_late=True)
def ping(**kwargs) -> str:
    """A no-op for checking that a worker is consuming, e.g. in tests and health checks."""
    return "pong"
