"""A migrated, empty database to throw away: what the test suite and `bench/` run against.

On SQLite a file in a folder; on PostgreSQL a fresh schema (dropped by `drop`), so runs never
see each other's rows. `url` is what a `crosspost` subprocess is given: libpq reads the
schema from its `options`, so the CLI and workers in other processes use the same schema.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from crosspost.db.engine import make_engine, session_factory
from crosspost.db.migrate import upgrade


class ScratchDatabase:
    def __init__(
        self,
        backend: str,
        folder: Path,
        *,
        pg_url: str,
        schema_prefix: str = "scratch_",
        pool_size: int = 10,
    ) -> None:
        self.backend = backend
        self.pg_url = pg_url
        self.schema: str | None = None
        if backend == "sqlite":
            self.url = f"sqlite:///{folder / 'crosspost.db'}"
            self.engine: Engine = make_engine(self.url)
        elif backend == "postgresql":
            self.schema = f"{schema_prefix}{uuid.uuid4().hex[:12]}"
            admin = create_engine(pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            self.url = f"{pg_url}?options=-csearch_path%3D{self.schema}"
            self.engine = make_engine(pg_url, schema=self.schema, pool_size=pool_size)
        else:
            raise ValueError(f"unknown backend {backend!r}")
        try:
            upgrade(self.engine)
        except BaseException:
            self.drop()  # no schema left behind by a failed start
            raise
        self.factory: sessionmaker[Session] = session_factory(self.engine)

    def drop(self) -> None:
        self.engine.dispose()
        if self.schema:
            admin = create_engine(self.pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()
