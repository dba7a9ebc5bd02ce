"""`make workspace`: the web workspace on demo data, with demo users whose passwords it prints.

A fresh `var/workspace` each run: the platform sandbox on a free port, the demo's config and
secrets pointed at it, `config/units.toml` beside them, the samples' media made and both sample
submissions imported as a unit's would be (they wait in the approval queue), one user per role
with a new random password, a worker publishing to the sandbox, and `crosspost web` on
127.0.0.1 (port 8000, or `CROSSPOST_WORKSPACE_PORT`; the folder: `CROSSPOST_WORKSPACE_DIR`).
Ctrl-C stops all of it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import threading
from pathlib import Path

from rich.console import Console
from rich.table import Table

from crosspost.accounts import sync_accounts
from crosspost.config import Config, load_config
from crosspost.db.engine import make_engine, session_factory, transaction
from crosspost.db.migrate import ensure_schema
from crosspost.demo import start_sandbox, write_config
from crosspost.errors import UserError
from crosspost.intake.importing import import_submission
from crosspost.intake.samples import SAMPLES, make_sample_media, submissions_in
from crosspost.intake.units import load_intake
from crosspost.media_store import MediaStore
from crosspost.users import add_user, set_password
from crosspost.worker.dispatcher import Worker

WORKSPACE_DIR = Path(os.environ.get("CROSSPOST_WORKSPACE_DIR", "var/workspace"))
UNITS = Path("config/units.toml")
# (name, role, unit): the editor is one of units.toml's approvers, so approving works.
DEMO_USERS = (
    ("quan-tri", "admin", None),
    ("bien-tap-vien", "editor", None),
    ("ke-hoach", "planner", None),
    ("lanh-dao", "viewer", None),
    ("nghe-an", "contributor", "nghe-an"),
)


def prepare(folder: Path, sandbox_url: str) -> Config:
    """The workspace's folder: config on the sandbox, units, samples imported."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(UNITS, folder / "units.toml")
    shutil.copytree(SAMPLES, folder / "samples")
    make_sample_media(folder / "samples")
    config = load_config(write_config(folder, sandbox_url))
    ensure_schema(make_engine(config.database_url))
    return config


def import_samples(config: Config) -> int:
    """Both sample submissions, through the same all-or-nothing import as the CLI."""
    factory = session_factory(make_engine(config.database_url))
    intake = load_intake(config)
    store = MediaStore.from_config(config)
    created = 0
    with transaction(factory) as session:
        sync_accounts(session, config)
        for path in submissions_in(config.data_dir / "samples"):
            result = import_submission(
                session,
                path,
                intake=intake,
                zone=config.timezone,
                actor="thu-ky-toa-soan",
                store=store,
            )
            created += result.count("created")
    return created


def add_demo_users(config: Config) -> list[tuple[str, str, str, str]]:
    """One user per role, each with a new random password (shown once, to this terminal)."""
    factory = session_factory(make_engine(config.database_url))
    units = list(load_intake(config).units)
    made = []
    with transaction(factory) as session:
        for name, role, unit in DEMO_USERS:
            add_user(session, name, role, unit=unit, actor="workspace", unit_codes=units)
            password = secrets.token_urlsafe(9)
            set_password(session, name, password, actor="workspace")
            made.append((name, role, unit or "", password))
    return made


def main() -> int:
    console = Console()
    port = int(os.environ.get("CROSSPOST_WORKSPACE_PORT", "8000"))
    try:
        from crosspost.cli.web import _check_free

        _check_free("127.0.0.1", port)
    except UserError as exc:
        console.print(f"error: {exc} (or set CROSSPOST_WORKSPACE_PORT)", highlight=False)
        return 2
    with start_sandbox(seed=7) as sandbox:
        config = prepare(WORKSPACE_DIR, sandbox.url)
        created = import_samples(config)
        users = add_demo_users(config)
        table = Table("user", "role", "unit", "password", title="demo users (this run only)")
        for row in users:
            table.add_row(*row)
        console.print(table)
        console.print(
            f"{created} sample items wait in the approval queue; data in {WORKSPACE_DIR}, "
            f"config {WORKSPACE_DIR / 'crosspost.toml'}; sandbox on {sandbox.url}",
            highlight=False,
        )
        return serve(config, port, console)


def serve(config: Config, port: int, console: Console) -> int:
    """The worker in a thread and the workspace in the foreground, until Ctrl-C."""
    import uvicorn

    from crosspost.web.app import create_app

    factory = session_factory(make_engine(config.database_url))
    stop = threading.Event()
    worker = threading.Thread(target=Worker(config, factory).run, args=(stop,), daemon=True)
    worker.start()
    console.print(f"crosspost web on http://127.0.0.1:{port}/ (Ctrl-C stops it)", highlight=False)
    try:
        uvicorn.run(
            create_app(config, factory=factory, secure_cookies=False),
            host="127.0.0.1",
            port=port,
            server_header=False,
            log_level="warning",
        )
    finally:
        stop.set()
        worker.join(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
