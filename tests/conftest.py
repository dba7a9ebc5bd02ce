"""Shared fixtures: a database per test on SQLite and on PostgreSQL, and configs that use the
in-memory adapter. PostgreSQL is required: set CROSSPOST_TEST_PG_URL to point elsewhere, or
CROSSPOST_TEST_PG=skip to leave it out on a machine without it (CI never does)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crosspost.config import Config, parse_config
from crosspost.db.scratch import ScratchDatabase

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "CROSSPOST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


def _pg_available() -> None:
    if os.environ.get("CROSSPOST_TEST_PG") == "skip":
        pytest.skip("CROSSPOST_TEST_PG=skip: PostgreSQL tests left out on purpose")
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is unreachable at {PG_URL} ({type(exc).__name__}); start it "
            "(pg_ctlcluster ... main start) or set CROSSPOST_TEST_PG=skip",
            pytrace=False,
        )


class Database(ScratchDatabase):
    """One migrated, empty database: a SQLite file or a fresh PostgreSQL schema."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        if backend != "sqlite":
            _pg_available()
        super().__init__(backend, tmp_path, pg_url=PG_URL, schema_prefix="t_")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = Database(request.param, tmp_path)
    yield database
    database.drop()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database("sqlite", tmp_path)
    yield database
    database.drop()


MEMORY_ACCOUNTS = (
    ("page", "facebook", "MemoryFacebook"),
    ("channel", "youtube", "MemoryYouTube"),
    ("xacct", "x", "MemoryX"),
)


def memory_accounts_toml(journal: Path) -> str:
    """Config text for three accounts (facebook, youtube, x) on the in-memory adapter."""
    return "\n".join(
        f'[accounts.{name}]\nplatform = "{platform}"\n'
        f'adapter = "tests.support.memory_adapter:{cls}"\njournal = "{journal}"\n'
        for name, platform, cls in MEMORY_ACCOUNTS
    )


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.jsonl"


@pytest.fixture
def memory_config(tmp_path: Path, journal: Path, db: Database) -> Config:
    import tomllib

    (tmp_path / "data").mkdir(exist_ok=True)  # the CLI refuses a data_dir that does not exist
    text_ = (
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n\n'
        "[worker]\npoll_seconds = 0.2\nreconcile_seconds = 0.5\n\n"
        "[retry]\nbase_seconds = 0.1\nmax_delay_seconds = 0.5\n\n" + memory_accounts_toml(journal)
    )
    path = tmp_path / "crosspost.toml"
    path.write_text(text_)
    return parse_config(tomllib.loads(text_), path)
