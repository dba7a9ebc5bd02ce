"""The sandbox in a process of its own, for the scheduler rows of the benchmark.

`run.py` starts one per measurement, so the sandbox's threads never share a GIL with what is
measured (the workers are processes of their own too, and the plain load generator runs in
`run.py`). The request log keeps every request of the run, not the usual last 2,000.

    .venv/bin/python bench/sandbox_process.py [--latency-ms MS] [--log-size N]

Prints `sandbox listening on URL` once it serves; SIGTERM or SIGINT stop it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from crosspost.sandbox import SandboxServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every API call")
    parser.add_argument("--log-size", type=int, default=100_000, help="requests kept in the log")
    args = parser.parse_args(argv)
    server = SandboxServer(seed=11, latency_ms=args.latency_ms, request_log_size=args.log_size)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    sys.stdout.write(f"sandbox listening on {server.url}\n")
    sys.stdout.flush()
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
