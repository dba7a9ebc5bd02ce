"""Row 4, start-up: the wall time of `crosspost --help`, and of `crosspost posts list --json`
on a database of many posts, each against the floor measured in the same run."""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from benchlib import (
    ACCOUNTS,
    TABLES,
    BenchDatabase,
    Line,
    error_line,
    load_bench_config,
    log,
    ms,
    pg_available,
    verdict,
    write_config,
)
from rich.markup import escape
from sqlalchemy import insert

from crosspost.accounts import sync_accounts
from crosspost.db.engine import transaction
from crosspost.timeutil import utcnow

ROW = "4 start-up"
HELP_TARGET_SECONDS = 0.250  # issue 7
HELP_TARGET_RATIO = 1.5  # issue 16: against `python -c 'import typer'`
LIST_TARGET_RATIO = 2.0  # issue 16: against the stdlib floor below (SQLite)
BATCH = 20_000

# The floor for `posts list --json`: the same rows (posts with their account, attempt counts
# and audit actions) read with the stdlib's sqlite3 and written as JSON, no ORM, no CLI.
SQLITE_FLOOR = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
posts = [dict(r) for r in db.execute(
    "SELECT post.*, account.name AS account FROM post JOIN account ON account.id = "
    "post.account_id ORDER BY post.id")]
tries = dict(db.execute("SELECT post_id, count(*) FROM attempt GROUP BY post_id").fetchall())
audit = {}
for post_id, action in db.execute("SELECT post_id, action FROM audit_event ORDER BY id"):
    audit.setdefault(post_id, []).append(action)
for p in posts:
    p["attempts"] = tries.get(p["id"], 0)
    p["audit"] = audit.get(p["id"], [])
sys.stdout.write(json.dumps(posts, ensure_ascii=False, indent=2))
"""


class CommandFailed(Exception):
    """The measured command failed (exit status, wrong output)."""


@dataclass
class Settings:
    help_runs: int = 15
    list_posts: int = 100_000
    list_runs: int = 3
    backends: list[str] = field(default_factory=lambda: ["sqlite", "postgresql"])


def crosspost_command() -> list[str]:
    """The installed entry point next to this Python (what an operator runs)."""
    script = Path(sys.executable).parent / "crosspost"
    return [str(script)] if script.exists() else [sys.executable, "-m", "crosspost"]


def compile_sources() -> None:
    """Byte-compile crosspost's own modules, as installing a wheel does: with
    PYTHONDONTWRITEBYTECODE=1 in the environment, an editable install would otherwise compile
    them again on every run, which the site-packages modules of the comparisons never are."""
    root = Path(__file__).resolve().parents[1]
    for folder in ("crosspost", "adapters"):
        if (root / folder).is_dir():
            compileall.compile_dir(root / folder, quiet=1)


def wall_times(
    command: list[str],
    runs: int,
    env: dict[str, str] | None = None,
    warm_output: Path | None = None,
) -> list[float]:
    """Wall time of each run, after one unmeasured run that warms the page cache (its output
    goes to `warm_output` when given; the timed runs' output is discarded)."""
    times = []
    for i in range(runs + 1):
        target = warm_output if i == 0 and warm_output else Path(os.devnull)
        with target.open("wb") as out:
            started = time.perf_counter()
            done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, env=env, check=False)
            elapsed = time.perf_counter() - started
        if done.returncode != 0:
            last = done.stderr.decode(errors="replace").strip()[-300:]
            raise CommandFailed(f"{' '.join(command[-3:])} exited {done.returncode}: {last}")
        if i:
            times.append(elapsed)
    return times


def help_line(settings: Settings) -> Line:
    measured = f"`crosspost --help`, median of {settings.help_runs} runs"
    target = f"≤ {HELP_TARGET_RATIO} × `import typer`, and ≤ {ms(HELP_TARGET_SECONDS)}"
    try:
        runs = wall_times([*crosspost_command(), "--help"], settings.help_runs)
        floor = wall_times([sys.executable, "-c", "pass"], settings.help_runs)
        typer_only = wall_times([sys.executable, "-c", "import typer"], settings.help_runs)
    except Exception as exc:
        return error_line(ROW, measured, target, f"{type(exc).__name__}: {exc}")
    median, typer_median = statistics.median(runs), statistics.median(typer_only)
    ratio = median / typer_median
    log(f"start-up: crosspost --help {ms(median)} ({ratio:.2f} × import typer)")
    return Line(
        ROW,
        measured,
        f"{ms(median)} (range {ms(min(runs))}–{ms(max(runs))}); {ratio:.2f} × `import typer`",
        target,
        f"python -c pass: {ms(statistics.median(floor))}\n"
        f"python -c 'import typer': {ms(typer_median)}",
        verdict(ratio <= HELP_TARGET_RATIO and median <= HELP_TARGET_SECONDS),
    )


def fill_listing(db: BenchDatabase, config_path: Path, total: int) -> None:
    """`total` posts (two per article, one per account) with SQLAlchemy core: every post was
    scheduled (an audit event), and all but the 2 % still to come were attempted once and
    published (an attempt row each)."""
    config = load_bench_config(config_path)
    now = utcnow()
    with transaction(db.factory) as session:
        rows = sync_accounts(session, config)
        account_ids = [rows[ACCOUNTS["facebook"]].id, rows[ACCOUNTS["x"]].id]
    platforms = ["facebook", "x"]
    with db.engine.begin() as conn:
        for start in range(1, total + 1, BATCH):
            numbers = range(start, min(start + BATCH, total + 1))
            contents, posts, attempts, events = [], [], [], []
            for n in numbers:
                content_id = (n + 1) // 2
                at = now - timedelta(minutes=total - n)
                upcoming = n % 50 == 0
                if n % 2:
                    contents.append(
                        {
                            "id": content_id,
                            "kind": "article",
                            "title": f"Bài số {content_id}: hội nghị cán bộ chủ chốt",
                            "summary": "Tỉnh ủy tổ chức hội nghị sơ kết.",
                            "body": "",
                            "link": f"https://tapchi.example.vn/bai/{content_id}",
                            "hashtags": ["XâyDựngĐảng"],
                            "overrides": {},
                            "language": "vi",
                            "review_state": "approved",
                            "created_by": "bench",
                            "created_at": at,
                        }
                    )
                posts.append(
                    {
                        "id": n,
                        "content_id": content_id,
                        "account_id": account_ids[n % 2],
                        "platform": platforms[n % 2],
                        "scheduled_at": at + timedelta(days=1) if upcoming else at,
                        "next_attempt_at": at + timedelta(days=1) if upcoming else None,
                        "state": "scheduled" if upcoming else "published",
                        "attempt_count": 0 if upcoming else 1,
                        "remote_id": None if upcoming else f"{10**15 + n}",
                        "remote_url": None if upcoming else f"https://x.com/bench/status/{n}",
                        "remote_extra_ids": [],
                        "created_by": "bench",
                        "created_at": at,
                        "updated_at": at,
                        "published_at": None if upcoming else at,
                    }
                )
                events.append(
                    {
                        "id": n,
                        "at": at,
                        "actor": "bench",
                        "action": "schedule",
                        "content_id": content_id,
                        "post_id": n,
                        "detail": {"at": at.isoformat()},
                    }
                )
                if not upcoming:
                    attempts.append(
                        {
                            "post_id": n,
                            "number": 1,
                            "worker": "bench",
                            "started_at": at,
                            "ended_at": at,
                            "outcome": "published",
                            "remote_id": f"{10**15 + n}",
                        }
                    )
            if contents:
                conn.execute(insert(TABLES["content"]), contents)
            conn.execute(insert(TABLES["post"]), posts)
            conn.execute(insert(TABLES["audit_event"]), events)
            if attempts:
                conn.execute(insert(TABLES["attempt"]), attempts)
    db.fix_sequences()
    db.vacuum_analyze()


def list_line(settings: Settings, backend: str) -> Line:
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    total = settings.list_posts
    measured = (
        f"`crosspost posts list --json`, {total:,} posts, {label}, median of {settings.list_runs}"
    )
    target = (
        f"≤ {LIST_TARGET_RATIO} × the sqlite3 floor"
        if backend == "sqlite"
        else "none set (figure only)"
    )
    if backend == "postgresql" and (why := pg_available()):
        return error_line(ROW, measured, target, why)
    with tempfile.TemporaryDirectory(prefix="crosspost-bench-") as tmp:
        folder = Path(tmp)
        try:
            with BenchDatabase(backend, folder) as db:
                config_path = write_config(folder, "http://127.0.0.1:9", db.url, concurrency=4)
                started = time.perf_counter()
                fill_listing(db, config_path, total)
                log(
                    f"start-up: {total:,} posts on {label} in {time.perf_counter() - started:.1f} s"
                )
                env = dict(os.environ, CROSSPOST_CONFIG=str(config_path), COLUMNS="200")
                command = [*crosspost_command(), "posts", "list", "--json"]
                output = folder / "posts.json"
                runs = wall_times(command, settings.list_runs, env, output)
                listed = len(json.loads(output.read_text(encoding="utf-8")))
                if listed != total:
                    raise CommandFailed(f"listed {listed} posts, not {total}")
                comparison, ratio = "", None
                if backend == "sqlite":
                    database = db.url.removeprefix("sqlite:///")
                    floor = wall_times(
                        [sys.executable, "-c", SQLITE_FLOOR, database], settings.list_runs
                    )
                    ratio = statistics.median(runs) / statistics.median(floor)
                    comparison = (
                        f"the same rows read with sqlite3 and written as JSON (no ORM, no "
                        f"CLI): {ms(statistics.median(floor))}"
                    )
        except CommandFailed as exc:  # crosspost itself failed: a finding, not a bench error
            return Line(ROW, measured, f"[red]{escape(str(exc))}[/]", target, "", "[red]fails[/]")
        except Exception as exc:
            return error_line(ROW, measured, target, f"{type(exc).__name__}: {exc}")
    median = statistics.median(runs)
    log(f"start-up: posts list --json on {label}: {ms(median)}")
    return Line(
        ROW,
        measured,
        f"{ms(median)} ({listed:,} posts listed; {median / total * 1e6:.0f} µs per post)"
        + (f"; {ratio:.2f} × the floor" if ratio is not None else ""),
        target,
        comparison or "—",
        verdict(None if ratio is None else ratio <= LIST_TARGET_RATIO),
    )


def run(settings: Settings) -> list[Line]:
    compile_sources()
    lines = [help_line(settings)]
    lines += [list_line(settings, backend) for backend in settings.backends]
    return lines
