"""`crosspost users` through the real CLI: add with a role (a contributor with its unit), a
password from stdin, `list --json` with stable keys and never a hash, bad input in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.acceptance.cli import ROOT, cli_env, run, run_json
from tests.support.monthly import write_units

pytestmark = pytest.mark.acceptance


@pytest.fixture
def config_file(tmp_path, db):
    (tmp_path / "data").mkdir(exist_ok=True)
    path = tmp_path / "crosspost.toml"
    path.write_text(f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n')
    write_units(tmp_path)
    return path


def passwd(config_file, name: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crosspost", "users", "passwd", name, "--password-stdin", "--json"],
        input=password + "\n",
        env=cli_env(config_file),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_users_are_added_given_a_password_listed_and_disabled(config_file):
    editor = run_json(config_file, "users", "add", "bien-tap", "--role", "editor", "--by", "admin")
    assert editor["role"] == "editor" and editor["has_password"] is False
    run(config_file, "users", "add", "ha-noi-1", "--role", "contributor", "--unit", "ha-noi")
    done = passwd(config_file, "bien-tap", "mật khẩu đủ dài")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["has_password"] is True
    run(config_file, "users", "disable", "ha-noi-1")
    listed = run(config_file, "users", "list", "--json").stdout
    assert "argon2" not in listed and "mật khẩu" not in listed
    rows = json.loads(listed)
    assert [(r["name"], r["role"], r["unit"], r["enabled"]) for r in rows] == [
        ("bien-tap", "editor", None, True),
        ("ha-noi-1", "contributor", "ha-noi", False),
    ]
    assert list(rows[0]) == list(editor)


@pytest.mark.parametrize(
    ("args", "stdin", "line"),
    [
        (
            ["add", "c", "--role", "contributor", "--unit", "hue"],
            "",
            "error: unknown unit 'hue' for --unit; known units: da-nang, ha-noi, hai-phong",
        ),
        (
            ["add", "x", "--role", "boss"],
            "",
            "error: --role 'boss' is not a role; use one of admin, editor, planner, viewer, "
            "contributor",
        ),
        (
            ["passwd", "nobody", "--password-stdin"],
            "a long password\n",
            "error: no user named 'nobody'; see `crosspost users list`",
        ),
        (["disable", "nobody"], "", "error: no user named 'nobody'; see `crosspost users list`"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(config_file, args, stdin, line):
    done = subprocess.run(
        [sys.executable, "-m", "crosspost", "users", *args],
        input=stdin,
        env=cli_env(config_file),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert [x for x in done.stderr.splitlines() if x.strip()] == [line]
    assert run_json(config_file, "users", "list") == []


def test_an_api_token_is_printed_once_and_kept_only_as_its_hash(config_file, db):
    import hashlib

    from sqlalchemy import text

    run(config_file, "users", "add", "kich-ban", "--role", "viewer")
    made = run(config_file, "users", "token", "kich-ban")
    token = made.stdout.strip()
    assert token.startswith("cpt_") and len(made.stdout.splitlines()) == 1
    assert "shown once" in made.stderr and token not in made.stderr
    listed = run(config_file, "users", "list", "--json").stdout
    assert token not in listed and json.loads(listed)[0]["has_token"] is True
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM app_user")).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    again = run_json(config_file, "users", "token", "kich-ban")
    assert again["token"] != token and again["has_token"] is True
    assert again["token"] not in run(config_file, "users", "list", "--json").stdout
    revoked = run_json(config_file, "users", "token", "kich-ban", "--revoke")
    assert revoked["has_token"] is False and "token" not in revoked
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT token_hash FROM app_user")).scalar_one() is None
    for args, line in (
        (["kich-ban", "--revoke"], "error: user 'kich-ban' has no API token to revoke"),
        (["nobody"], "error: no user named 'nobody'; see `crosspost users list`"),
    ):
        done = run(config_file, "users", "token", *args, check=False)
        assert done.returncode == 2 and done.stdout == ""
        assert [x for x in done.stderr.splitlines() if x.strip()] == [line]
