"""Whether a config's data folder and SQLite file exist: a mistyped path must not start an
empty database (the team would think its data gone), so only `crosspost db upgrade` makes them."""

from __future__ import annotations

from pathlib import Path

from crosspost.config import DEFAULT_CONFIG, Config


def missing_paths(config: Config) -> list[str]:
    """data_dir and the SQLite file when they do not exist: a mistyped path must not start an
    empty database; only `crosspost db upgrade` creates them."""
    from crosspost.db.engine import sqlite_file

    create = "or run `crosspost db upgrade` to create a new, empty one"
    problems = []
    source = str(config.path) if config.path else "(defaults)"
    if config.path is None and not config.data_dir.is_dir():
        # No config anywhere: say so, rather than name a data folder nobody chose.
        return [
            f"no config file: none given and no {DEFAULT_CONFIG} under {Path.cwd()}; pass "
            f"--config PATH or set CROSSPOST_CONFIG (or run `crosspost db upgrade` to start "
            f"with the defaults in {config.data_dir})"
        ]
    if not config.data_dir.is_dir():
        problems.append(
            f"{source}: [crosspost] data_dir: {config.data_dir} does not exist; fix the path, "
            f"{create}"
        )
    database = sqlite_file(config.database_url)
    if database is not None and not database.exists() and database.parent != config.data_dir:
        problems.append(
            f"{config.database_origin}: the database file {database} does not exist; fix the "
            f"path, {create}"
        )
    elif database is not None and not database.exists() and not problems:
        problems.append(
            f"{config.database_origin}: the database file {database} does not exist; fix "
            f"data_dir, {create}"
        )
    elif database is not None and database.is_file() and database.stat().st_size == 0:
        # SQLite takes an empty file for a new database: the team would see its data gone
        problems.append(
            f"{config.database_origin}: the database file {database} is empty (0 bytes); "
            "restore it from a backup or fix the path, or run `crosspost db upgrade` to make it "
            "a new, empty database"
        )
    return problems
