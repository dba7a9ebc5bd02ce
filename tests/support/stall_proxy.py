"""An HTTP/1.1 proxy in front of the sandbox that can sit on an answer: a timeout at one call.

The sandbox's faults answer (a 5xx, a 429) or drop the connection; none is slow at one action
only. `StallProxy.stall(platform, action)` makes the next request the sandbox logs as that
action reach the sandbox (which applies it, as a slow platform would), and keeps its answer
from the client until the client gives up: the client sees a read timeout on exactly that call.
Which action a request was is read from the sandbox's own request log, so fault rules and
stalls name calls the same way. Location headers are moved to the proxy (resumable uploads).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

import httpx

STALL_LIMIT_SECONDS = 30.0  # a client that never gives up is released after this


class StallProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream.rstrip("/")
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._control = httpx.Client(base_url=self.upstream, timeout=10)
        self._lock = threading.Lock()
        self._stalls: list[tuple[str, str]] = []
        self.stalled: list[str] = []  # actions whose answers were kept back
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def stall(self, platform: str, action: str, count: int = 1) -> None:
        """Keep back the answers to the next `count` requests to `platform`'s `action`."""
        with self._lock:
            self._stalls.extend([(platform, action)] * count)

    def __enter__(self) -> StallProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._listener.close()
        self._control.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self._target, timeout=STALL_LIMIT_SECONDS)
        from_client, from_upstream = client.makefile("rb"), upstream.makefile("rb")
        try:
            while True:
                request = _read_message(from_client, request=True)
                if request is None:
                    return
                upstream.sendall(request)
                answer = _read_message(from_upstream, request=False)
                if answer is None:
                    return  # the sandbox dropped the connection (an `ambiguous` fault)
                if self._should_stall(request):
                    client.settimeout(STALL_LIMIT_SECONDS)
                    with contextlib.suppress(OSError):
                        while client.recv(65536):  # until the client times out and hangs up
                            pass
                    return
                client.sendall(answer.replace(self.upstream.encode(), self.url.encode()))
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()

    def _should_stall(self, request: bytes) -> bool:
        with self._lock:
            if not self._stalls:
                return False
        method, target = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
        path = urlsplit(target).path
        log = self._control.get("/_sandbox/requests").json()
        entry = next(
            (e for e in reversed(log) if e["method"] == method and e["path"] == path), None
        )
        if entry is None:
            return False
        with self._lock:
            key = (entry["platform"], entry["action"])
            if key not in self._stalls:
                return False
            self._stalls.remove(key)
            self.stalled.append(entry["action"])
        return True


def _read_message(stream: BinaryIO, *, request: bool) -> bytes | None:
    """One HTTP/1.1 message, head and body (Content-Length or chunked), or None at EOF."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = stream.readline(65536)
        if not line:
            return None
        if head or line.strip():
            head += line
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")[1:] if h)
    }
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            size_line = stream.readline(65536)
            body += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            body += stream.read(size + 2)
            if size == 0:
                return head + body
    length = int(headers.get(b"content-length", b"0"))
    if not request and head.split(b" ", 2)[1:2] in ([b"204"], [b"304"]):
        length = 0
    return head + (stream.read(length) if length else b"")
