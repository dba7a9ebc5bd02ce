"""What the rows of the benchmark share: the table's line, the sandbox process, a fresh
database (a SQLite file or a PostgreSQL schema of its own), a worker config on the sandbox,
article posts bulk-inserted with SQLAlchemy core, and real `crosspost worker` processes."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.markup import escape
from sqlalchemy import create_engine, func, select, text

from crosspost.config import Config, load_config
from crosspost.db.models import Base, Post
from crosspost.db.scratch import ScratchDatabase

# The tables, for bulk inserts with SQLAlchemy core.
TABLES = Base.metadata.tables
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_URL = os.environ.get(
    "CROSSPOST_BENCH_PG_URL",
    os.environ.get("CROSSPOST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
# The sandbox's own Facebook Page (its default knobs): the bench accounts post to it.
FACEBOOK_PAGE_ID = "109876543210987"
FACEBOOK_APP_ID = "987654321098765"
GRAPH = "v26.0"
FACEBOOK_TOKEN = "EAAbench-page-token"
X_CREDENTIALS = {
    "consumer_key": "bench-consumer-key",
    "consumer_secret": "bench-consumer-secret",
    "access_token": "1234-bench-access-token",
    "access_token_secret": "bench-access-token-secret",
}
ACCOUNTS = {"facebook": "bench-facebook", "x": "bench-x"}
# How a worker process is started (a diagnosis may point it at a wrapper).
WORKER_COMMAND = [sys.executable, "-m", "crosspost", "worker"]
# Every post links to https://tapchi.example.vn/bench/<n>: the sandbox's request log names the
# post each request is for (X sends it in the text, Facebook in the `link` field).
LINK = "https://tapchi.example.vn/bench/{n}"
MARK = re.compile(r"tapchi\.example\.vn/bench/(\d+)")
TITLE = "Bản tin thử tải số {n}: hội nghị cán bộ chủ chốt"
SUMMARY = "Đo độ trễ và thông lượng của bộ lập lịch trên máy chủ thử."
HASHTAGS = ["ThửTải"]


# -- the table ---------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of the benchmark table."""

    row: str  # "1 lateness"
    measured: str  # what was measured, and how
    figure: str
    target: str
    comparison: str  # what it is compared with, measured in the same run
    verdict: str  # rich markup: met, NOT MET, no target, error


def verdict(met: bool | None, detail: str = "") -> str:
    tail = f" {detail}" if detail else ""
    if met is None:
        return f"[dim]no target[/]{tail}"
    return f"[green]met[/]{tail}" if met else f"[red]NOT MET[/]{tail}"


def error_line(row: str, measured: str, target: str, message: str) -> Line:
    """A measurement that failed: what failed, in place of the figure."""
    text_ = message if len(message) <= 400 else message[:400] + "…"
    return Line(row, measured, f"[red]{escape(text_)}[/]", target, "", "[red]error[/]")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linearly interpolated between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    value = seconds * 1000
    if abs(value) >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def log(message: str) -> None:
    """Progress on stderr, so the table on stdout stays one piece."""
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


# -- the create call of a bench post, as the adapters make it ---------------------------------


def tweet_text(n: int) -> str:
    """What the X adapter sends for bench article n (title, summary, link, hashtags)."""
    return f"{TITLE.format(n=n)}\n\n{SUMMARY}\n\n{LINK.format(n=n)}\n\n#{HASHTAGS[0]}"


def send_create(client: httpx.Client, sandbox_url: str, n: int, oauth: str) -> httpx.Response:
    """Post n's create call, as its adapter makes it: X, POST /2/tweets with the text as JSON
    (OAuth 1.0a header `oauth`, see oauth1_header); Facebook, POST /{page}/feed with message
    and link as a form (Page token as a bearer)."""
    if platform_of(n) == "x":
        return client.post(
            f"{sandbox_url}/2/tweets",
            json={"text": tweet_text(n)},
            headers={"Authorization": oauth},
        )
    return client.post(
        f"{sandbox_url}/{GRAPH}/{FACEBOOK_PAGE_ID}/feed",
        data={"message": f"{TITLE.format(n=n)}\n\n{SUMMARY}", "link": LINK.format(n=n)},
        headers={"Authorization": f"Bearer {FACEBOOK_TOKEN}"},
    )


def oauth1_header(url: str) -> str:
    """A signed OAuth 1.0a header for POST url with a JSON body (as tweepy sends it)."""
    from oauthlib.oauth1 import Client  # type: ignore[import-untyped]

    client = Client(
        X_CREDENTIALS["consumer_key"],
        client_secret=X_CREDENTIALS["consumer_secret"],
        resource_owner_key=X_CREDENTIALS["access_token"],
        resource_owner_secret=X_CREDENTIALS["access_token_secret"],
    )
    _, headers, _ = client.sign(url, http_method="POST")
    return str(headers["Authorization"])


# -- the sandbox, in a process of its own ------------------------------------------------------


class SandboxProcess:
    """`sandbox_process.py` with an added latency and a request log big enough for a run."""

    def __init__(self, latency_ms: float, log_size: int = 100_000) -> None:
        command = [
            sys.executable,
            str(HERE / "sandbox_process.py"),
            "--latency-ms",
            str(latency_ms),
            "--log-size",
            str(log_size),
        ]
        self.latency_ms = latency_ms
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, cwd=ROOT
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("sandbox listening on "):
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.url = line.removeprefix("sandbox listening on ")
        self.http = httpx.Client(base_url=self.url, timeout=60)
        self.configure()

    def configure(self) -> None:
        """Knobs that keep the platforms' own pacing out of a scheduler benchmark: Facebook's
        usage headers stay near 0 %, X's rate-limit headers never read 0 remaining."""
        knobs = {
            "facebook": {"usage_call_budget": 1_000_000_000},
            "x": {"rate_limits": {"tweets.create": 1_000_000_000}},
        }
        self.http.post("/_sandbox/config", json=knobs).raise_for_status()

    def reset(self) -> None:
        self.http.post("/_sandbox/reset").raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        log_: list[dict[str, Any]] = self.http.get("/_sandbox/requests").json()
        return log_

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        http = getattr(self, "http", None)
        if http is not None:
            http.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc), or NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return math.nan
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def first_request_at(entries: Iterable[dict[str, Any]]) -> dict[int, float]:
    """For each bench post (its number n), when its first request reached the sandbox."""
    first: dict[int, float] = {}
    for entry in entries:
        body = entry.get("json") or entry.get("form")
        if not body:
            continue
        match = MARK.search(json.dumps(body, ensure_ascii=False))
        if match is None:
            continue
        n = int(match[1])
        at = float(entry.get("received_at") or entry["at"])
        if n not in first or at < first[n]:
            first[n] = at
    return first


# -- databases ---------------------------------------------------------------------------------


def pg_available() -> str | None:
    """None when PostgreSQL answers at PG_URL, else why not."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL unreachable at {PG_URL}: {type(exc).__name__}"
    return None


class BenchDatabase(ScratchDatabase):
    """A migrated, empty database: a SQLite file in `folder`, or a fresh PostgreSQL schema
    (dropped by `drop`). `url` is what a `crosspost` subprocess is given."""

    def __init__(self, backend: str, folder: Path, *, pool_size: int = 10) -> None:
        super().__init__(
            backend, folder, pg_url=PG_URL, schema_prefix="bench_", pool_size=pool_size
        )

    @property
    def label(self) -> str:
        return "SQLite" if self.backend == "sqlite" else "PostgreSQL"

    def vacuum_analyze(self) -> None:
        """After a bulk load, what PostgreSQL's autovacuum does soon after by itself (visibility
        map, planner statistics), done now so that it does not run during a measurement."""
        if self.backend != "postgresql":
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))

    def fix_sequences(self) -> None:
        """After rows went in with explicit ids, PostgreSQL's sequences must move past them."""
        if self.backend != "postgresql":
            return
        with self.engine.begin() as conn:
            for table in ("content", "post", "attempt", "audit_event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                    )
                )

    def __enter__(self) -> BenchDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()


# -- the worker's config and its posts ---------------------------------------------------------


def write_config(
    folder: Path,
    sandbox_url: str,
    database_url: str,
    *,
    concurrency: int,
    poll_seconds: float = 1.0,
) -> Path:
    """Two accounts on the sandbox (a Facebook Page and an X account), a 0600 secrets file.

    X's default budget (25 posts per 15 minutes, its documented limit with room for threads)
    is removed: the bench measures the scheduler, not the platform's policy."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "crosspost.toml"
    path.write_text(
        f"""# Written by bench/: two accounts on the sandbox at {sandbox_url}.
[crosspost]
timezone = "Asia/Ho_Chi_Minh"
data_dir = "."
database_url = "{database_url}"

[worker]
concurrency = {concurrency}
poll_seconds = {poll_seconds}

[accounts.{ACCOUNTS["facebook"]}]
platform = "facebook"
page_id = "{FACEBOOK_PAGE_ID}"
app_id = "{FACEBOOK_APP_ID}"
base_url = "{sandbox_url}"
[accounts.{ACCOUNTS["facebook"]}.credentials]
page_access_token = "secrets"

[accounts.{ACCOUNTS["x"]}]
platform = "x"
base_url = "{sandbox_url}"
username = "bench"
[accounts.{ACCOUNTS["x"]}.budget]
per_15_minutes = 0
[accounts.{ACCOUNTS["x"]}.credentials]
consumer_key = "secrets"
consumer_secret = "secrets"
access_token = "secrets"
access_token_secret = "secrets"
""",
        encoding="utf-8",
    )
    secrets = folder / "secrets.toml"
    x_lines = "\n".join(f'{key} = "{value}"' for key, value in X_CREDENTIALS.items())
    secrets.write_text(
        f'[{ACCOUNTS["facebook"]}]\npage_access_token = "{FACEBOOK_TOKEN}"\n\n'
        f"[{ACCOUNTS['x']}]\n{x_lines}\n",
        encoding="utf-8",
    )
    os.chmod(secrets, 0o600)
    return path


def platform_of(n: int) -> str:
    """Posts alternate between the two accounts: odd numbers on X, even on Facebook."""
    return "x" if n % 2 else "facebook"


def count_states(db: BenchDatabase) -> dict[str, int]:
    with db.factory() as session:
        rows = session.execute(select(Post.state, func.count(Post.id)).group_by(Post.state))
        return {state: int(count) for state, count in rows}


def load_bench_config(path: Path) -> Config:
    return load_config(path)


# -- `crosspost worker` processes --------------------------------------------------------------


class Workers:
    """Real `crosspost worker` processes on one config; output to files, never pipes."""

    def __init__(self, config_path: Path, count: int) -> None:
        env = dict(os.environ)
        env["CROSSPOST_CONFIG"] = str(config_path)
        env.pop("CROSSPOST_DATABASE_URL", None)
        self.folder = config_path.parent
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        for i in range(count):
            log_path = self.folder / f"worker-{i}.log"
            with log_path.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(
                        WORKER_COMMAND,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        cwd=self.folder,
                    )
                )
            self.logs.append(log_path)

    def wait_started(self, timeout: float = 90) -> None:
        """Until every worker has logged that it started (its scheduler is running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = [p.read_text(errors="replace") for p in self.logs]
            if all("started (concurrency" in t for t in texts):
                return
            for process, text_ in zip(self.processes, texts, strict=True):
                if process.poll() is not None:
                    raise RuntimeError(f"a worker exited early: {text_[-800:]}")
            time.sleep(0.1)
        raise RuntimeError("the workers did not start in time")

    def cpu_seconds(self) -> float:
        return sum(process_cpu_seconds(p.pid) for p in self.processes)

    def stop(self, timeout: float = 60) -> list[int | None]:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for process in self.processes:
            try:
                codes.append(process.wait(timeout=timeout))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait())
        return codes

    def tail(self, chars: int = 1500) -> str:
        return "\n".join(p.read_text(errors="replace")[-chars:] for p in self.logs)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until_published(db: BenchDatabase, total: int, deadline: float) -> dict[str, int]:
    """Poll the post states (every 0.5 s) until `total` are published or the deadline passes."""
    while True:
        states = count_states(db)
        if states.get("published", 0) >= total or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def describe_states(states: dict[str, int]) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
