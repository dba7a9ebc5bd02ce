"""Wake-ups from PostgreSQL: a post that becomes claimable anywhere wakes every worker at once.

Migration 0003 installs a trigger that sends NOTIFY on the `crosspost_due` channel whenever a
post enters a claimable state or its claim time moves. Each worker LISTENs on its own connection
and re-plans its next dispatch on every notification, so a post scheduled by the CLI on another
machine goes out at its time instead of waiting for the next poll. The poll stays as the safety
net: if the listening connection drops, the worker reconnects with backoff and re-plans once,
since notifications sent meanwhile are lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

log = logging.getLogger("crosspost.worker")

CHANNEL = "crosspost_due"
APPLICATION_NAME = "crosspost-wakeups"  # how the connection shows in pg_stat_activity
MAX_BACKOFF_SECONDS = 30.0


def conninfo(engine: Engine) -> str:
    """The engine's URL as libpq understands it (without SQLAlchemy's driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class DueListener:
    """LISTEN on a dedicated connection in a daemon thread; `wake` after each burst."""

    def __init__(self, engine: Engine, wake: Callable[[], None]) -> None:
        self.engine = engine
        self.wake = wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()  # set while a LISTEN connection is open

    def start(self) -> bool:
        """Start listening; False (and nothing started) on a database without NOTIFY."""
        if self.engine.dialect.name != "postgresql":
            return False
        self._thread = threading.Thread(target=self._run, name="due-listener", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        backoff = 1.0
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    conninfo(self.engine), autocommit=True, application_name=APPLICATION_NAME
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    backoff = 1.0
                    self.wake()  # anything sent before we listened
                    self._listen(connection)
            except psycopg.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc)
                log.warning(
                    "lost the database wake-up channel (%s); polling until it is back", first
                )
            finally:
                self.listening.clear()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _listen(self, connection: object) -> None:
        from psycopg import Connection

        assert isinstance(connection, Connection)
        while not self._stop.is_set():
            # Block up to 1 s for the first notification, then take the rest of the burst
            # without blocking, and re-plan once for all of them.
            got = list(connection.notifies(timeout=1.0, stop_after=1))
            if not got:
                continue
            list(connection.notifies(timeout=0.01))
            self.wake()
