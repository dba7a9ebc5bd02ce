"""`crosspost web` refuses an address it cannot listen on in one line, before serving."""

from __future__ import annotations

import socket

import pytest

from tests.acceptance.cli import run

pytestmark = pytest.mark.acceptance


def test_a_port_in_use_is_one_line(tmp_path):
    (tmp_path / "data").mkdir()
    config = tmp_path / "crosspost.toml"
    config.write_text('[crosspost]\ndata_dir = "data"\n', encoding="utf-8")
    run(config, "db", "upgrade")
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        done = run(config, "web", "--port", str(port), check=False)
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if line.strip()] == [
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "stop what holds it or pick another with --port / --host"
    ]
