"""`crosspost sandbox`: the local platform server for tests, the demo and benchmarks."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Annotated

import typer

from crosspost.cli.runtime import handle_errors


@handle_errors
def sandbox(
    host: Annotated[str, typer.Option(help="Loopback address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="0 picks a free port")] = 0,
    seed: Annotated[int, typer.Option(help="Makes random faults repeatable")] = 0,
    latency: Annotated[float, typer.Option("--latency", help="Added latency, ms")] = 0.0,
    faults: Annotated[
        str | None, typer.Option("--faults", help="e.g. 5xx=0.05,429=0.02,ambiguous=0.02")
    ] = None,
) -> None:
    """Serve, on loopback, the subset of each platform's API the adapters use."""
    from crosspost.errors import UserError
    from crosspost.sandbox import SandboxServer
    from crosspost.sandbox.faults import FaultSpecError, parse_fault_spec

    try:
        rates = parse_fault_spec(faults)
    except FaultSpecError as exc:
        raise UserError(str(exc)) from None
    server = SandboxServer(host, port, seed=seed, latency_ms=latency, faults=rates)
    # The first line says where it listens, so scripts can start it on port 0 and read it.
    sys.stdout.write(f"sandbox listening on {server.url}\n")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    stop.wait()
    server.stop()
