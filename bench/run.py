"""The benchmark table (issue 7): every figure against the sandbox on loopback, with its target
and a comparison measured in the same run, printed as one table.

Rows: 1 lateness of due posts, 2 throughput, 3 streaming uploads, 4 start-up, 5 claim cost,
6 big input, 7 web pages (server time of Today, the calendar and the queue).
README.md says what every figure means and how it is measured.

    .venv/bin/python bench/run.py [--quick] [--only lateness,claims] [--databases sqlite]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import row_claims
import row_lateness
import row_preview
import row_startup
import row_throughput
import row_uploads
import row_web
from benchlib import Line, pg_available
from rich.console import Console
from rich.table import Table

ROWS = ("lateness", "throughput", "uploads", "startup", "claims", "preview", "web")
BACKENDS = ("sqlite", "postgresql")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller runs: about 2 minutes instead of about 7"
    )
    parser.add_argument(
        "--only", help=f"rows to run, comma-separated: {', '.join(ROWS)} (or 1-6); default all"
    )
    parser.add_argument(
        "--databases",
        default=",".join(BACKENDS),
        help="databases for rows 1, 2, 4, 5 and 7 (default sqlite,postgresql)",
    )
    group = parser.add_argument_group("row sizes (override --quick)")
    group.add_argument("--lateness-posts", type=int, help="posts due at 100/s (6000)")
    group.add_argument("--throughput-posts", type=int, help="posts due at once (5000)")
    group.add_argument("--list-posts", type=int, help="posts for `posts list --json` (100000)")
    group.add_argument("--claim-sizes", help="two post-table sizes (10000,1000000)")
    group.add_argument("--claims", type=int, help="timed claims per size (200)")
    group.add_argument("--sizes", help="upload file sizes in MiB, comma-separated (100,1024)")
    group.add_argument(
        "--platforms",
        default=",".join(row_uploads.PLATFORMS),
        help="adapters whose uploads are measured, comma-separated",
    )
    group.add_argument("--repeat", type=int, help="runs of each upload (3)")
    group.add_argument("--web-posts", type=int, help="posts behind the web pages (10000)")
    args = parser.parse_args(argv)

    names = [x.strip() for x in (args.only or ",".join(ROWS)).split(",") if x.strip()]
    rows = [ROWS[int(n) - 1] if n.isdigit() and 1 <= int(n) <= len(ROWS) else n for n in names]
    unknown = sorted(set(rows) - set(ROWS))
    if unknown or not rows:
        parser.error(f"--only takes {', '.join(ROWS)} or 1-{len(ROWS)} (got {unknown})")
    args.rows = [r for r in ROWS if r in rows]
    args.backends = [b.strip() for b in args.databases.split(",") if b.strip()]
    if not args.backends or set(args.backends) - set(BACKENDS):
        parser.error(f"--databases takes {', '.join(BACKENDS)}")
    args.platform_list = [p.strip() for p in args.platforms.split(",") if p.strip()]
    if not args.platform_list or set(args.platform_list) - set(row_uploads.PLATFORMS):
        parser.error(f"--platforms takes {', '.join(row_uploads.PLATFORMS)}")
    sizes: tuple[int, ...] = (
        row_uploads.QUICK_SIZES_MIB if args.quick else row_uploads.FULL_SIZES_MIB
    )
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
    args.sizes_mib = sorted(set(sizes))
    if min(args.sizes_mib) <= 0 or (args.repeat is not None and args.repeat < 1):
        parser.error("upload sizes are whole MiB above 0; --repeat is at least 1")
    if args.claim_sizes:
        try:
            small, large = (int(s) for s in args.claim_sizes.split(","))
        except ValueError:
            parser.error("--claim-sizes takes two sizes, e.g. 10000,1000000")
        if not 0 < small < large:
            parser.error("--claim-sizes: the first size is the smaller, both above 0")
        args.claim_pair = (small, large)
    return args


def settings_for(args: argparse.Namespace) -> dict[str, Callable[[], list[Line]]]:
    """Each row's run, with the sizes of a full or a --quick run (and any overrides)."""
    quick = args.quick
    backends = args.backends
    lateness_runs = [(b, 1 if b == "sqlite" else 4) for b in backends]
    lateness = row_lateness.Settings(
        posts=args.lateness_posts or (1_500 if quick else 6_000), runs=lateness_runs
    )
    throughput = row_throughput.Settings(
        posts=args.throughput_posts or (1_000 if quick else 5_000), backends=backends
    )
    uploads = row_uploads.Settings(
        sizes_mib=args.sizes_mib,
        platforms=args.platform_list,
        repeat=args.repeat or row_uploads.DEFAULT_REPEAT,
    )
    startup = row_startup.Settings(
        help_runs=7 if quick else 15,
        list_posts=args.list_posts or (20_000 if quick else 100_000),
        list_runs=1 if quick else 3,
        backends=backends,
    )
    claims = row_claims.Settings(
        sizes=getattr(args, "claim_pair", None)
        or ((10_000, 200_000) if quick else (10_000, 1_000_000)),
        claims=args.claims or (100 if quick else 200),
        backends=backends,
    )
    web = row_web.Settings(
        posts=args.web_posts or 10_000, runs=20 if quick else 40, backends=backends
    )
    return {
        "lateness": lambda: row_lateness.run(lateness),
        "throughput": lambda: row_throughput.run(throughput),
        "uploads": lambda: row_uploads.run(uploads),
        "startup": lambda: row_startup.run(startup),
        "claims": lambda: row_claims.run(claims),
        "preview": lambda: row_preview.run(row_preview.Settings()),
        "web": lambda: row_web.run(web),
    }


def machine_facts(args: argparse.Namespace) -> list[str]:
    curl = subprocess.run(["curl", "--version"], capture_output=True, text=True, check=False)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    facts = [
        f"command: {shlex.join([sys.executable, *sys.argv])}",
        f"started: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load} "
        "(other processes on the machine make the figures noisier)",
        f"machine: {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"curl {' '.join((curl.stdout.splitlines() or ['?'])[0].split()[1:2])}",
    ]
    if "postgresql" in args.backends:
        why = pg_available()
        facts.append(
            f"PostgreSQL: {why or 'reachable; a fresh schema per database, dropped after'}"
        )
    return facts


def table(lines: list[Line], title: str) -> Table:
    out = Table(title=title, show_lines=True, expand=False)
    out.add_column("row", no_wrap=True)
    out.add_column("what is measured", max_width=34)
    out.add_column("figure", max_width=46)
    out.add_column("target", max_width=22)
    out.add_column("same-run comparison", max_width=46)
    out.add_column("verdict", max_width=18)
    for line in lines:
        out.add_row(
            line.row, line.measured, line.figure, line.target, line.comparison, line.verdict
        )
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=max(Console().width, 190))
    for fact in machine_facts(args):
        console.print(fact, highlight=False)
    runs = settings_for(args)
    lines: list[Line] = []
    started = time.monotonic()
    for name in args.rows:
        console.print(f"[bold]{name}[/] …", highlight=False)
        began = time.monotonic()
        lines += runs[name]()
        console.print(f"[bold]{name}[/] done in {time.monotonic() - began:.0f} s", highlight=False)
    elapsed = time.monotonic() - started
    mode = "quick run" if args.quick else "full run"
    console.print(table(lines, f"crosspost benchmark ({mode}, {elapsed / 60:.1f} min)"))
    failed = [line for line in lines if "error" in line.verdict]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
