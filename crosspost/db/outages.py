"""The database going away under a running worker: say so in one line, and keep what matters.

A worker outlives database outages (a restarted PostgreSQL, a dropped network, a disk that
refuses writes): its jobs log one line per failure instead of a traceback and try again at
their next run. The one write that must not be dropped, the outcome of a call the platform has
already answered, is retried until the lease runs out; after that the post's lease expires and
the reconciler asks the platform, so a post is never lost nor published twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from crosspost.db.engine import driver_message

T = TypeVar("T")
log = logging.getLogger("crosspost.worker")

FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 8.0


def is_database_outage(error: BaseException) -> bool:
    """A failure of the database itself (connection, I/O, full disk), not of our SQL."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def log_failure(what: str, error: BaseException) -> None:
    """One line for an outage; the traceback for anything else (that is a bug to see)."""
    if is_database_outage(error):
        log.warning("%s: database unavailable (%s); trying again", what, driver_message(error))
    else:
        log.error("%s", what, exc_info=error)


def retry_while_unavailable(action: Callable[[], T], what: str, give_up_after: float) -> T:
    """Run `action`; while the database is unavailable, run it again with growing pauses for
    up to `give_up_after` seconds, then raise the last error."""
    deadline = time.monotonic() + give_up_after
    pause = FIRST_PAUSE_SECONDS
    while True:
        try:
            return action()
        except Exception as error:
            if not is_database_outage(error) or time.monotonic() + pause > deadline:
                raise
            log.warning(
                "%s: database unavailable (%s); retrying in %gs", what, driver_message(error), pause
            )
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
