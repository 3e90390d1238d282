"""LocalPay: a small payment-vendor HTTP server for development and tests.

    python -m billing.vendors.localpay_server --port 8765      (--port 0 picks a free port)

It prints `LocalPay listening on http://HOST:PORT` once it is ready. State is in memory.

Vendor API
    POST /v1/charges   header Idempotency-Key, JSON {"amount", "currency", "payment_method"}
        201 {"id", "status": "succeeded", "amount", "currency", "idempotency_key"} for a new charge;
        the same key again returns the first outcome (200, "replayed": true) and charges nothing;
        the same key with a different body is 409; a payment method starting DECLINE is declined (402).
    GET /v1/charges?idempotency_key=KEY
        200 {"data": [charge]}: the charge made for the key, or an empty list (reconciliation).

Control API (for tests and demos)
    POST /_control/behaviour  {"mode": "fail" | "timeout" | "decline", "count": 1, "delay": 5}
        queues behaviours for the next `count` charge requests:
          fail     503, nothing charged;
          timeout  the charge IS made, then the answer is delayed `delay` seconds (the client times
                   out, as when a vendor is slow after committing);
          decline  402 insufficient_funds, remembered for the key like any outcome.
    GET  /_control/requests   every charge request received, replays included
    GET  /_control/charges    the charges actually made (at most one per key)
    POST /_control/reset      forget everything
    GET  /healthz
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.requests: list[dict] = []
        self.charges: list[dict] = []
        self.outcomes: dict[str, tuple[int, dict, str]] = {}  # key -> (status, body, request fingerprint)
        self.behaviours: deque[dict] = deque()


class Handler(BaseHTTPRequestHandler):
    server_version = "LocalPay/1.0"
    # Keep-alive: every answer carries its Content-Length, so clients may reuse connections.
    protocol_version = "HTTP/1.1"
    state: State

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        sys.stderr.write("localpay: " + (format % args) + "\n")

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return {}

    def do_GET(self) -> None:
        state = self.state
        with state.lock:
            if self.path == "/healthz":
                return self._send(200, {"status": "ok"})
            if self.path == "/_control/requests":
                return self._send(200, {"requests": list(state.requests)})
            if self.path == "/_control/charges":
                return self._send(200, {"charges": list(state.charges)})
            url = urlsplit(self.path)
            if url.path == "/v1/charges":
                key = parse_qs(url.query).get("idempotency_key", [""])[0]
                return self._send(200, {"data": [c for c in state.charges if c["idempotency_key"] == key]})
        self._send(404, {"detail": "not found"})

    def do_POST(self) -> None:
        body = self._json()
        if self.path == "/_control/reset":
            with self.state.lock:
                self.state.reset()
            return self._send(200, {"status": "reset"})
        if self.path == "/_control/behaviour":
            mode = body.get("mode")
            if mode not in ("fail", "timeout", "decline"):
                return self._send(400, {"detail": "mode must be fail, timeout or decline"})
            with self.state.lock:
                for _ in range(int(body.get("count", 1))):
                    self.state.behaviours.append({"mode": mode, "delay": float(body.get("delay", 5))})
            return self._send(200, {"queued": len(self.state.behaviours)})
        if self.path == "/v1/charges":
            return self._charge(body)
        self._send(404, {"detail": "not found"})

    def _charge(self, body: dict) -> None:
        key = self.headers.get("Idempotency-Key", "")
        if not key:
            return self._send(400, {"detail": "Idempotency-Key header is required"})
        if not isinstance(body.get("amount"), int) or body["amount"] <= 0 or not body.get("currency"):
            return self._send(400, {"detail": "amount (positive integer minor units) and currency required"})
        fingerprint = json.dumps(body, sort_keys=True)
        delay = 0.0
        with self.state.lock:
            state = self.state
            behaviour = state.behaviours.popleft() if state.behaviours else None
            previous = state.outcomes.get(key)
            state.requests.append(
                {
                    "idempotency_key": key,
                    **body,
                    "replayed": previous is not None,
                    "behaviour": behaviour["mode"] if behaviour else None,
                    "received_at": time.time(),
                }
            )
            if previous is not None:
                status, outcome, previous_fingerprint = previous
                if previous_fingerprint != fingerprint:
                    return self._send(409, {"detail": "Idempotency-Key reused with a different request"})
                return self._send(200 if status == 201 else status, {**outcome, "replayed": True})
            if behaviour and behaviour["mode"] == "fail":
                return self._send(503, {"detail": "temporarily unavailable"})
            if (behaviour and behaviour["mode"] == "decline") or str(
                body.get("payment_method", "")
            ).startswith("DECLINE"):
                status, outcome = 402, {"status": "declined", "code": "insufficient_funds"}
            else:
                charge = {
                    "id": f"ch_{secrets.token_hex(8)}",
                    "status": "succeeded",
                    "amount": body["amount"],
                    "currency": body["currency"],
                    "payment_method": body.get("payment_method"),
                    "idempotency_key": key,
                }
                state.charges.append(charge)
                status, outcome = 201, charge
            state.outcomes[key] = (status, outcome, fingerprint)
            if behaviour and behaviour["mode"] == "timeout":
                delay = behaviour["delay"]
        if delay:
            time.sleep(delay)
        try:
            self._send(status, outcome)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: the charge stands, a retry with the key replays it


def make_server(*, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> ThreadingHTTPServer:
    """The server (not yet serving); `quiet` drops its request log (for a server inside another
    process, e.g. the demo loader's)."""
    attributes = {"state": State()}
    if quiet:
        attributes["log_message"] = lambda self, format, *args: None  # noqa: A006 - the base class's signature
    handler = type("LocalPayHandler", (Handler,), attributes)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="LocalPay: a payment vendor for development and tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    server = make_server(host=args.host, port=args.port)
    host, port = server.server_address[:2]
    sys.stdout.write(f"LocalPay listening on http://{host}:{port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
