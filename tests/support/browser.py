"""What the browser tests share: users with a password, made through the real CLI; a page of
Debian's chromium that keeps every console error and script error for the test to assert on;
signing in through the login form; a real `crosspost web` process on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.acceptance.cli import ROOT, cli_env, run, start


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            assert time.monotonic() < deadline, f"crosspost web did not answer at {url}"
            time.sleep(0.2)


@contextmanager
def served_web(config_path: Path) -> Iterator[str]:
    """`crosspost web` on `config_path`, answering; its base URL. Stopped on the way out."""
    port = free_port()
    server = start(config_path, "web", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/login")
        yield base
    finally:
        server.process.terminate()
        server.wait(timeout=20)
