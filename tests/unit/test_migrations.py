"""The schema check every command makes relies on HEAD_REVISION naming the newest migration."""

from __future__ import annotations

from sqlalchemy import create_engine

from crosspost.db.migrate import HEAD_REVISION, current_revision, ensure_schema, head_revision


def test_head_revision_constant_matches_the_migration_scripts():
    assert head_revision(create_engine("sqlite://")) == HEAD_REVISION


def test_a_new_database_is_migrated_once_and_then_left_alone(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert current_revision(engine) is None
    ensure_schema(engine)
    assert current_revision(engine) == HEAD_REVISION
    ensure_schema(engine)  # current: no migration runs
    assert current_revision(engine) == HEAD_REVISION
