"""Row 5, claim cost: the time `crosspost.posts.claims.claim_due` takes to claim the next due
post with a small and a large post table, on SQLite and PostgreSQL, with the query plan of its
SELECT (EXPLAIN QUERY PLAN / EXPLAIN) summarised."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchlib import (
    TABLES,
    BenchDatabase,
    Line,
    error_line,
    log,
    ms,
    percentile,
    pg_available,
    verdict,
)
from sqlalchemy import Column, Engine, event, insert, text
from sqlalchemy.engine import Connection

from crosspost.posts import claims
from crosspost.posts.due import next_due_at
from crosspost.timeutil import utcnow

ROW = "5 claim cost"
RATIO_TARGET = 2.0
LEASE = timedelta(minutes=5)
WORKER = "bench-claims"


@dataclass
class Settings:
    sizes: tuple[int, int] = (10_000, 1_000_000)
    claims: int = 200  # timed claims per size
    backends: list[str] = field(default_factory=lambda: ["sqlite", "postgresql"])


@dataclass
class Measured:
    size: int
    claim_times: list[float]
    next_due_times: list[float]
    plan: list[str]
    fill_seconds: float

    @property
    def median(self) -> float:
        return statistics.median(self.claim_times)


# -- a post table of any size, made by the database itself -------------------------------------


def _series(dialect: str, first: int, last: int) -> tuple[str, str]:
    """(prefix, FROM item) giving one row per i in first..last."""
    if dialect == "postgresql":
        return "", f"generate_series({first}, {last}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s WHERE i < {last}) ",
        "s",
    )


def _at(dialect: str, seconds: str) -> str:
    """A UTC time `seconds` (an SQL expression) after :base, stored as SQLAlchemy stores it."""
    if dialect == "postgresql":
        return f"(CAST(:base AS timestamptz) + ({seconds}) * interval '1 second')"
    return f"(strftime('%Y-%m-%d %H:%M:%S', :base, ({seconds}) || ' seconds') || '.000000')"


def _copy(
    conn: Connection, table: Any, total: int, overrides: dict[str, str], params: dict[str, Any]
) -> None:
    """Rows 2..total of `table`, each a copy of row 1 (which the ORM defaults filled, so any
    column a later migration adds is filled too) with `overrides` (SQL over s.i) applied."""
    if total < 2:
        return
    dialect = conn.dialect.name
    prefix, source = _series(dialect, 2, total)
    columns: list[Column[Any]] = list(table.columns)
    names = ", ".join(c.name for c in columns)
    values = ", ".join(overrides.get(c.name, f"t.{c.name}") for c in columns)
    conn.execute(
        text(
            f"{prefix}INSERT INTO {table.name} ({names}) "
            f"SELECT {values} FROM {source}, {table.name} AS t WHERE t.id = 1"
        ),
        params,
    )


def fill(engine: Engine, total: int, due: int) -> None:
    """`total` posts on two accounts (each content has one post per account): `due` of them
    scheduled and due (spread evenly through the table), 1 % scheduled for later, 0.1 % waiting
    to retry, 0.5 % failed and the rest published, as a table that has been used for years."""
    now = utcnow()
    base = now.strftime("%Y-%m-%d %H:%M:%S")
    stride = max(1, total // max(due, 1))
    with engine.begin() as conn:
        accounts = []
        for name, platform in (("bench-facebook", "facebook"), ("bench-x", "x")):
            accounts.append(
                conn.execute(
                    insert(TABLES["account"])
                    .values(name=name, platform=platform, settings={}, created_at=now)
                    .returning(TABLES["account"].c.id)
                ).scalar_one()
            )
        conn.execute(
            insert(TABLES["content"]).values(
                id=1,
                kind="article",
                title="Bài cũ",
                summary="",
                body="",
                hashtags=[],
                overrides={},
                language="vi",
                review_state="approved",
                created_by="bench",
                created_at=now,
            )
        )
        _copy(conn, TABLES["content"], math.ceil(total / 2), {"id": "s.i"}, {})
        conn.execute(
            insert(TABLES["post"]).values(
                id=1,
                content_id=1,
                account_id=accounts[0],
                platform="facebook",
                scheduled_at=now - timedelta(days=400),
                state="published",
                attempt_count=1,
                remote_extra_ids=[],
                created_by="bench",
                created_at=now - timedelta(days=400),
                updated_at=now,
                published_at=now - timedelta(days=400),
            )
        )
        d = conn.dialect.name
        is_due = f"(s.i % {stride} = 0 AND s.i / {stride} <= {due})"
        state = (
            f"CASE WHEN {is_due} THEN 'scheduled' WHEN s.i % 100 = 1 THEN 'scheduled' "
            "WHEN s.i % 1000 = 3 THEN 'retry_wait' WHEN s.i % 200 = 7 THEN 'failed' "
            "ELSE 'published' END"
        )
        next_at = (
            f"CASE WHEN {is_due} THEN {_at(d, '-60 - s.i % 3600')} "
            f"WHEN s.i % 100 = 1 OR s.i % 1000 = 3 THEN {_at(d, '3600 + s.i')} ELSE NULL END"
        )
        published = f"CASE WHEN {state} = 'published' THEN {_at(d, '-s.i')} ELSE NULL END"
        _copy(
            conn,
            TABLES["post"],
            total,
            {
                "id": "s.i",
                "content_id": "(s.i + 1) / 2",
                "account_id": f"CASE WHEN s.i % 2 = 0 THEN {accounts[1]} ELSE {accounts[0]} END",
                "platform": "CASE WHEN s.i % 2 = 0 THEN 'x' ELSE 'facebook' END",
                "state": state,
                "next_attempt_at": next_at,
                "scheduled_at": _at(d, "-s.i"),
                "created_at": _at(d, "-s.i - 86400"),
                "published_at": published,
                "attempt_count": f"CASE WHEN {is_due} THEN 0 ELSE 1 END",
            },
            {"base": base if d == "sqlite" else now},
        )


# -- the measurement ---------------------------------------------------------------------------


def claim_plan(db: BenchDatabase) -> list[str]:
    """The SELECT claim_due sends (caught on its way to the driver), explained."""
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, params: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM post" in statement:
            caught.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", catch)
    try:
        claims.claim_due(db.factory, WORKER, 1, LEASE)
    finally:
        event.remove(db.engine, "before_cursor_execute", catch)
    if not caught:
        return ["(no SELECT on post caught)"]
    statement, params = caught[0]
    with db.engine.connect() as conn:
        if db.backend == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            plan = [str(row[-1]) for row in rows]
        else:
            rows = conn.exec_driver_sql("EXPLAIN (COSTS OFF) " + statement, params).all()
            plan = [str(row[0]).strip().lstrip("->").strip() for row in rows]
        conn.rollback()
    return plan


def summarise_plan(backend: str, plan: list[str]) -> tuple[str, bool]:
    """A one-line plan and whether the post table is reached through an index only."""
    if backend == "sqlite":
        steps = [p for p in plan if p.startswith(("SEARCH", "SCAN", "USE TEMP"))]
        full_scan = any(p.startswith("SCAN post") or p == "SCAN post" for p in steps)
        indexed = any(p.startswith("SEARCH post USING") for p in steps)
    else:
        steps = [p for p in plan if not p.startswith(("Filter", "Index Cond", "Sort Key", "Join"))]
        full_scan = any("Seq Scan on post" in p for p in steps)
        indexed = any("Index" in p and " on post" in p for p in steps)
    return "; ".join(steps), indexed and not full_scan


def measure(backend: str, folder: Path, size: int, count: int) -> Measured:
    with BenchDatabase(backend, folder) as db:
        started = time.perf_counter()
        fill(db.engine, size, count + 10)
        db.vacuum_analyze()
        fill_seconds = time.perf_counter() - started
        plan = claim_plan(db)  # also the first, warming claim
        for _ in range(3):
            claims.claim_due(db.factory, WORKER, 1, LEASE)
        times, next_due = [], []
        for _ in range(count):
            t0 = time.perf_counter()
            got = claims.claim_due(db.factory, WORKER, 1, LEASE)
            t1 = time.perf_counter()
            next_due_at(db.factory)
            t2 = time.perf_counter()
            if len(got) != 1:
                raise RuntimeError(f"claim_due claimed {len(got)} posts, not 1")
            times.append(t1 - t0)
            next_due.append(t2 - t1)
        return Measured(size, times, next_due, plan, fill_seconds)


def run(settings: Settings) -> list[Line]:
    small, large = settings.sizes
    target = f"large ≤ {RATIO_TARGET:g} × small; plan uses an index"
    lines = []
    for backend in settings.backends:
        label = "SQLite" if backend == "sqlite" else "PostgreSQL"
        measured = (
            f"claim_due, next due post, {small:,} vs {large:,} posts, {label} "
            f"(median of {settings.claims})"
        )
        if backend == "postgresql" and (why := pg_available()):
            lines.append(error_line(ROW, measured, target, why))
            continue
        try:
            results = []
            for size in (small, large):
                with tempfile.TemporaryDirectory(prefix="crosspost-bench-") as tmp:
                    result = measure(backend, Path(tmp), size, settings.claims)
                log(
                    f"claims: {label} {size:,} posts (made in {result.fill_seconds:.1f} s): "
                    f"claim median {ms(result.median)}"
                )
                results.append(result)
        except Exception as exc:
            lines.append(error_line(ROW, measured, target, f"{type(exc).__name__}: {exc}"))
            continue
        low, high = results
        ratio = high.median / low.median
        plan, indexed = summarise_plan(backend, high.plan)
        figure = (
            f"{small:,}: {ms(low.median)} (p90 {ms(percentile(low.claim_times, 90))})\n"
            f"{large:,}: {ms(high.median)} (p90 {ms(percentile(high.claim_times, 90))})\n"
            f"plan at {large:,}: {plan}"
        )
        comparison = (
            f"next_due_at (the dispatcher's wake-up query), same tables:\n"
            f"{ms(statistics.median(low.next_due_times))} → "
            f"{ms(statistics.median(high.next_due_times))}"
        )
        lines.append(
            Line(
                ROW,
                measured,
                figure,
                target,
                comparison,
                verdict(
                    ratio <= RATIO_TARGET and indexed,
                    f"{ratio:.2f}×, {'index' if indexed else '[red]no index[/]'}",
                ),
            )
        )
    return lines
