"""Engine and sessions. SQLite runs in WAL with BEGIN IMMEDIATE so writers queue, not fail;
PostgreSQL is for several workers on several machines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from crosspost.errors import UserError

SQLITE_BUSY_TIMEOUT_MS = 30_000
BACKENDS = ("sqlite", "postgresql")
URL_HELP = "use sqlite:///PATH or postgresql://USER@HOST/DB"

# What SQLite says about a file, and what the operator can do about it.
SQLITE_FILE_PROBLEMS = (
    (
        ("file is not a database", "database disk image is malformed"),
        "is not a readable SQLite database ({said}); restore it from a backup, or point "
        "database_url at the right file",
    ),
    (
        ("readonly database", "read-only"),
        "is read-only ({said}); give the user running crosspost write access to the file and "
        "its folder",
    ),
    (
        ("database is locked",),
        "is locked by another process ({said}, waited {seconds} s); let it finish and try again",
    ),
    (
        ("unable to open database file",),
        "cannot be opened ({said}); check that its folder exists and is writable",
    ),
)


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
        raise UserError(f"database URL {url!r} is not valid; {URL_HELP}") from None
    if parsed.get_backend_name() not in BACKENDS:
        safe = parsed.render_as_string(hide_password=True)
        raise UserError(
            f"database URL {safe}: crosspost does not support {parsed.get_backend_name()}; "
            f"{URL_HELP} (database_url or CROSSPOST_DATABASE_URL)"
        )
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


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: not SQLite, or in memory)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if parsed.query.get("uri") == "true":
        database = database.removeprefix("file:")
        if database.startswith(":memory:") or "mode=memory" in str(parsed.query):
            return None
    return Path(database)


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


def describe_database_error(url: str, exc: DBAPIError) -> str:
    """One line for a database failure: what SQLite says about its file with the fix, "cannot
    reach" only when the connection itself failed (never opened, or lost), else what the
    database said."""
    said = driver_message(exc)
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        for phrases, advice in SQLITE_FILE_PROBLEMS:
            if any(phrase in said.lower() for phrase in phrases):
                text = advice.format(said=said, seconds=SQLITE_BUSY_TIMEOUT_MS // 1000)
                return f"the database file {sqlite_file(url) or parsed.database} {text}"
    if exc.connection_invalidated or _is_connect_failure(exc):
        return describe_connection_error(url, exc)
    safe = parsed.render_as_string(hide_password=True)
    return f"the database {safe} refused the request: {said}"


def driver_message(error: BaseException) -> str:
    """The driver's first line, without SQLAlchemy's statement and parameters."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


def _is_connect_failure(exc: DBAPIError) -> bool:
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


def describe_connection_error(url: str, exc: DBAPIError) -> str:
    safe = make_url(normalise_url(url)).render_as_string(hide_password=True)
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return (
        f"cannot reach the database {safe}: {first}; check database_url or CROSSPOST_DATABASE_URL"
    )
