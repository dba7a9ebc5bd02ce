"""What the browser tests share: users with a password, made through the real CLI; a page of
Debian's chromium that keeps every console error and script error for the test to assert on;
signing in through the login form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.acceptance.cli import ROOT, cli_env, run


def add_user(
    config_path: Path, name: str, role: str, password: str, unit: str | None = None
) -> None:
    """`crosspost users add` and `users passwd --password-stdin`, as an admin would."""
    run(config_path, "users", "add", name, "--role", role, *(["--unit", unit] if unit else []))
    done = subprocess.run(
        [sys.executable, "-m", "crosspost", "users", "passwd", name, "--password-stdin"],
        input=password + "\n",
        env=cli_env(config_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


def watched_page(browser: Any, problems: list[str], width: int = 1280, height: int = 900) -> Any:
    """A new page in a context of its own (its own cookies), Vietnamese, whose console errors
    and uncaught script errors are appended to `problems`."""
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def sign_in(page: Any, base: str, name: str, password: str, start: str = "/login") -> None:
    """Open `start` (the login form, or a page that sends there) and sign in."""
    page.goto(base + start)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
