"""Engine and sessions. SQLite runs in WAL with BEGIN IMMEDIATE so writers queue, not fail;
PostgreSQL is for several workers on several machines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crosspost.errors import UserError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (it is the driver crosspost installs)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, schema: str | None = None, pool_size: int = 10) -> Engine:
    """An engine for `url`; `schema` (PostgreSQL) isolates a test run in its own schema."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(
            f"database URL {url!r} is not valid; use sqlite:///PATH or postgresql://HOST/DB"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(
        url,
        connect_args=connect_args,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite's deferred one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One short transaction: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def describe_database_error(url: str, exc: OperationalError) -> str:
    """One line for a database failure: "cannot reach" only when the connection itself failed
    (never opened, or lost), else what the database said."""
    if exc.connection_invalidated or _is_connect_failure(exc):
        return describe_connection_error(url, exc)
    safe = make_url(normalise_url(url)).render_as_string(hide_password=True)
    return f"the database {safe} refused the request: {driver_message(exc)}"


def driver_message(error: BaseException) -> str:
    """The driver's first line, without SQLAlchemy's statement and parameters."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


def _is_connect_failure(exc: OperationalError) -> bool:
    text = str(exc.orig or exc).lower()
    return any(
        phrase in text
        for phrase in (
            "connection",
            "could not connect",
            "unable to open database",
            "timeout expired",
            "server closed",
            "name or service not known",
        )
    )


def describe_connection_error(url: str, exc: OperationalError) -> str:
    safe = make_url(normalise_url(url)).render_as_string(hide_password=True)
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return (
        f"cannot reach the database {safe}: {first}; check database_url or CROSSPOST_DATABASE_URL"
    )
