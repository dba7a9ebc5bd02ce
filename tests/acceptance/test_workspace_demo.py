"""`make workspace` opens the web workspace on demo data: it prints a user per role with a
password that signs in, and the sample submissions wait in the approval queue."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.acceptance.cli import ROOT
from tests.support.web import csrf_of

pytestmark = pytest.mark.acceptance
USER_ROW = re.compile(r"│ (\S+)\s+│ (\w+)\s+│ (\S*)\s+│ (\S+)\s+│")


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_the_workspace_prints_users_who_sign_in_and_shows_the_samples_to_review(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "CROSSPOST_WORKSPACE_DIR": str(tmp_path / "workspace"),
        "CROSSPOST_WORKSPACE_PORT": str(port),
        "COLUMNS": "100",
    }
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        served = subprocess.Popen(
            [sys.executable, "-m", "crosspost.demo_web"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "crosspost web on" not in out.read_text() and time.monotonic() < deadline:
            assert served.poll() is None, out.read_text()
            time.sleep(0.5)
        users = {m[0]: m[1:] for m in USER_ROW.findall(out.read_text())}
        assert {name: role for name, (role, _unit, _pw) in users.items()} == {
            "quan-tri": "admin",
            "bien-tap-vien": "editor",
            "ke-hoach": "planner",
            "lanh-dao": "viewer",
            "nghe-an": "contributor",
        }
        assert "9 sample items wait in the approval queue" in out.read_text()
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as browser:
            for _ in range(60):  # uvicorn may still be binding
                try:
                    form = browser.get("/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.5)
            signed_in = browser.post(
                "/login",
                data={
                    "name": "bien-tap-vien",
                    "password": users["bien-tap-vien"][2],
                    "csrf": csrf_of(form.text),
                    "next": "/queue",
                },
                follow_redirects=True,
            )
            assert signed_in.status_code == 200
            assert signed_in.url.path == "/queue"
            assert signed_in.text.count('name="ids"') == 9  # each with its approve box
        assert (tmp_path / "workspace" / "secrets.toml").stat().st_mode & 0o077 == 0
    finally:
        served.send_signal(signal.SIGINT)
        served.wait(timeout=60)
