"""Alembic, driven from code: `crosspost db upgrade`, and automatically on first use.

Every command checks the schema, so that check must be cheap: it reads `alembic_version` with
plain SQL and compares it with HEAD_REVISION; alembic itself is imported only to migrate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (tests/unit/test_migrations.py keeps it honest).
HEAD_REVISION = "0007"


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str | None:
    """The newest revision according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None for a database crosspost has not set up yet."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):  # no table yet
            return None


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest revision; return it."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
    return head_revision(engine)


def ensure_schema(engine: Engine) -> None:
    """Apply missing migrations; one small query when the schema is current."""
    if current_revision(engine) != HEAD_REVISION:
        upgrade(engine)
