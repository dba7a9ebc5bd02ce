"""The sandbox HTTP server: routing, latency, faults, the request log and control endpoints.

Control endpoints (never faulted, no latency):
- ``GET  /_sandbox/health``     -> {"ok": true}
- ``GET  /_sandbox/state``      -> everything created, per platform
- ``POST /_sandbox/reset``      -> forget everything (and the request log)
- ``GET  /_sandbox/faults``     -> rates, pending rules, counts of injected faults
- ``POST /_sandbox/faults``     -> {"rates": {...}, "rules": [{"fault", "platform", "action",
                                    "count", "retry_after"}], "seed": N, "clear_rules": bool}
- ``GET  /_sandbox/requests``   -> the last requests received (method, path, action, JSON or
                                    form body, `received_at` before the added latency)
- ``POST /_sandbox/config``     -> {"x": {...}, "youtube": {...}}: per-platform knobs
- ``GET  /_sandbox/clock``      -> {"now": the platforms' time, "offset": seconds ahead}
- ``POST /_sandbox/clock``      -> {"advance": seconds}: move the platforms' clock forward (token
                                    expiries); reset puts it back on the wall clock
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.faults import FaultPlan, FaultSpecError
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.platforms import load_platform, platform_names

log = logging.getLogger("crosspost.sandbox")

REQUEST_LOG_SIZE = 2000
LOGGED_BODY_LIMIT = 64 * 1024


class SandboxApp:
    """Everything but the socket: dispatch a Request to a platform route, with faults."""

    def __init__(
        self,
        seed: int = 0,
        latency_ms: float = 0.0,
        faults: dict[str, float] | None = None,
        platforms: list[str] | None = None,
        request_log_size: int = REQUEST_LOG_SIZE,
    ) -> None:
        self.ctx = SandboxContext(seed)
        names = platforms or platform_names()
        self.latency = latency_ms / 1000.0
        self.faults = FaultPlan(seed, faults)
        self.platforms: dict[str, PlatformAPI] = {
            name: load_platform(name, self.ctx) for name in names
        }
        self.routes: list[tuple[PlatformAPI, Route]] = [
            (platform, route) for platform in self.platforms.values() for route in platform.routes()
        ]
        self.request_log: deque[dict[str, Any]] = deque(maxlen=request_log_size)

    def match(self, method: str, path: str) -> tuple[PlatformAPI, Route, dict[str, str]] | None:
        path_matched = False
        for platform, route in self.routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            path_matched = True
            if route.method == method:
                return platform, route, m.groupdict()
        if path_matched:
            raise MethodNotAllowed(path)
        return None

    def handle(self, request: Request) -> Response:
        received_at = time.time()  # when it reached the sandbox, before the added latency
        if request.path.startswith("/_sandbox/"):
            return self._control(request)
        try:
            found = self.match(request.method, request.path)
        except MethodNotAllowed:
            return Response.json({"error": "method not allowed"}, status=405)
        if found is None:
            return Response.json({"error": f"no sandbox route for {request.path}"}, status=404)
        platform, route, params = found
        request.params = params
        if self.latency:
            time.sleep(self.latency)
        fault = self.faults.decide(platform.name, route.action) if route.faultable else None
        entry: dict[str, Any] = {
            "received_at": received_at,
            "at": time.time(),
            "platform": platform.name,
            "action": route.action,
            "method": request.method,
            "path": request.path,
            "query": {k: v[0] if len(v) == 1 else v for k, v in request.query.items()},
            "content_type": request.content_type,
            "fault": fault.kind if fault else None,
        }
        if request.content_length <= LOGGED_BODY_LIMIT:
            if request.content_type == "application/json":
                try:
                    entry["json"] = request.json()
                except ValueError:
                    entry["json"] = None
            elif request.content_type == "application/x-www-form-urlencoded":
                try:
                    entry["form"] = request.form()
                except UnicodeDecodeError:
                    entry["form"] = None
        self.request_log.append(entry)
        if fault is not None and fault.kind != "ambiguous":
            request.drain()
            response = platform.fault_response(fault, request, route)
        else:
            response = route.handler(request)
            if fault is not None:  # ambiguous: the action was applied; the answer is lost
                response.drop = True
        entry["status"] = response.status
        return response

    def _control(self, request: Request) -> Response:
        name = request.path.removeprefix("/_sandbox/")
        method = request.method
        if name == "health":
            return Response.json({"ok": True, "platforms": sorted(self.platforms)})
        if name == "state" and method == "GET":
            with self.ctx.lock:
                state = {n: p.snapshot() for n, p in self.platforms.items()}
            return Response.json(state)
        if name == "reset" and method == "POST":
            with self.ctx.lock:
                for p in self.platforms.values():
                    p.reset()
                self.request_log.clear()
                self.ctx.clock.reset()
            return Response.json({"ok": True})
        if name == "faults" and method == "GET":
            return Response.json(self.faults.describe())
        if name == "faults" and method == "POST":
            try:
                self.faults.configure(request.json() or {})
            except (FaultSpecError, TypeError, ValueError) as exc:
                return Response.json({"error": str(exc)}, status=400)
            return Response.json(self.faults.describe())
        if name == "config" and method == "POST":
            payload = request.json() or {}
            try:
                with self.ctx.lock:
                    result = {
                        n: self.platforms[n].configure(dict(opts)) for n, opts in payload.items()
                    }
            except (KeyError, TypeError, ValueError) as exc:
                return Response.json({"error": f"bad sandbox config: {exc}"}, status=400)
            return Response.json(result)
        if name == "clock":
            return self._clock(request)
        if name == "requests" and method == "GET":
            return Response.json(list(self.request_log))
        return Response.json({"error": f"no sandbox control endpoint {request.path}"}, status=404)

    def _clock(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                with self.ctx.lock:
                    self.ctx.clock.advance((request.json() or {}).get("advance", 0))
            except (AttributeError, ValueError) as exc:
                return Response.json({"error": f"bad sandbox clock: {exc}"}, status=400)
        with self.ctx.lock:
            return Response.json({"now": self.ctx.now(), "offset": self.ctx.clock.offset})


class MethodNotAllowed(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are written separately; without this each answer waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            self.command,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            self.headers,
            self.rfile,  # type: ignore[arg-type]  # a BufferedReader, read() is all we use
            length,
        )
        try:
            response = self.server.app.handle(request)
        except Exception as exc:  # a sandbox bug must show as a 500, not a hung client
            log.exception("sandbox handler failed")
            response = Response.json({"error": f"sandbox error: {exc}"}, status=500)
        request.drain()
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout, a test's dropped connection) is not a sandbox error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """The sandbox on a loopback port; use as a context manager or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 0,
        latency_ms: float = 0.0,
        faults: dict[str, float] | None = None,
        platforms: list[str] | None = None,
        request_log_size: int = REQUEST_LOG_SIZE,
    ) -> None:
        self.app = SandboxApp(
            seed=seed,
            latency_ms=latency_ms,
            faults=faults,
            platforms=platforms,
            request_log_size=request_log_size,
        )
        self._server = _Server((host, port), self.app)
        host_, port_ = self._server.server_address[:2]
        self.url = f"http://{host_!s}:{port_}"
        self.app.ctx.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> SandboxServer:
        """Serve in a background thread (again: a no-op, so `with` works on a started one)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def state(self) -> dict[str, Any]:
        """Everything created, as plain JSON data (what GET /_sandbox/state returns)."""
        with self.app.ctx.lock:
            state: dict[str, Any] = json.loads(
                json.dumps({n: p.snapshot() for n, p in self.app.platforms.items()})
            )
        return state
