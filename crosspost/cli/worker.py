"""`crosspost worker`: the background publisher."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Annotated

import typer

from crosspost.cli.runtime import console, err_console, handle_errors, runtime


def configure_logging(verbose: bool) -> None:
    import logging  # here, not at the top: it costs every command's start-up, `--help` too

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from crosspost.adapters.registry import builtin_classes

    platforms = [name for cls in builtin_classes() for name in cls.library_loggers]
    for noisy in ("apscheduler", "httpx", "httpcore", "urllib3", "apprise", *platforms):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@handle_errors
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Publish what is due now, then exit")
    ] = False,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, max=256, help="Posts at once")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Publish posts at their due time until stopped (SIGINT/SIGTERM stop it cleanly)."""
    from crosspost.accounts import pause_unusable_accounts
    from crosspost.worker.dispatcher import Worker
    from crosspost.worker.executor import OutcomeState as Out

    configure_logging(verbose)
    config = runtime.config
    from crosspost.alerts import url_problems
    from crosspost.errors import Problems

    if notify := url_problems(config.notify_urls):
        raise Problems(
            f"the worker did not start: {len(notify)} [notify] URLs are wrong",
            notify,
            head="the worker did not start",
        )
    for name, problem in pause_unusable_accounts(runtime.factory, config, actor="worker"):
        err_console.print(
            f"paused: account {name}: {problem}; once fixed, run `crosspost accounts check {name}`",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    publisher = Worker(config, runtime.factory, concurrency=concurrency)
    if once:
        summary = publisher.run_once()
        publisher.shutdown(config.worker.grace_seconds)
        console.print(
            f"published {summary.count(Out.PUBLISHED)}, retrying {summary.count(Out.RETRY)}, "
            f"failed {summary.count(Out.FAIL)}, unknown {summary.count(Out.RECONCILE)}",
            highlight=False,
        )
        return
    import logging

    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logging.getLogger("crosspost.worker").info(
            "%s received: finishing in-flight posts", signal.Signals(signum).name
        )
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    publisher.run(stop)
    if publisher.left_in_flight:
        # The grace period is over: exit now instead of letting the interpreter wait for the
        # calls still running. Their leases expire and the reconciler asks the platform.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
