"""`crosspost --help` starts fast because it loads nothing heavy: no database layer, HTTP
client, validation library, rich rendering or platform. Bench row 4 times it; this test only
checks which modules are loaded, which does not depend on the machine."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "sqlalchemy",
    "httpx",
    "pydantic",
    "apprise",
    "google",
    "jinja2",
    "rich",
    "typer.rich_utils",
    "crosspost.adapters",
    "crosspost.db",
    "crosspost.config",
    "crosspost.listing",
)

PROBE = """
import json, sys
sys.argv = ["crosspost", *json.loads(sys.argv[1])]
from crosspost.cli.app import main
if sys.argv[1:]:
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded(*args: str) -> list[str]:
    """The modules loaded once `crosspost ARGS` has run in a fresh interpreter (none: only
    `import crosspost.cli.app`)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize("args", [(), ("--help",), ("--version",)], ids=str)
def test_the_command_and_its_help_load_nothing_heavy(args: tuple[str, ...]) -> None:
    assert loaded(*args) == []


def test_the_help_still_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crosspost", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed = done.stdout.split("Commands:\n", 1)[1]
    names = [
        line.split()[0] for line in listed.splitlines() if line[:3].strip() and line[:2] == "  "
    ]
    assert names[:3] == ["import", "schedule", "cancel"]
    assert {"posts", "content", "db", "auth", "users", "samples", "worker", "web"} <= set(names)
