"""A mistyped command line (unknown command or option, a value of the wrong type, a missing
argument) is one line naming the problem and where the help is, with exit code 2; no boxed panel.
`--help`, and a group run without a command, still show the help."""

from __future__ import annotations

import pytest

from tests.acceptance.cli import run

pytestmark = pytest.mark.acceptance

CASES = [
    (
        ("posts", "list", "--limit", "abc"),
        "error: Invalid value for '--limit': Input should be a valid integer, unable to parse "
        "string as an integer (see 'crosspost posts list --help')",
    ),
    (("posts", "nosuch"), "error: No such command 'nosuch'. (see 'crosspost posts --help')"),
    (("nosuch",), "error: No such command 'nosuch'. (see 'crosspost --help')"),
    (
        ("posts", "list", "--bogus"),
        "error: No such option: --bogus (see 'crosspost posts list --help')",
    ),
    (("cancel",), "error: Missing argument 'post_ids'. (see 'crosspost cancel --help')"),
    (("schedule", "1", "--at"), "error: Option '--at' requires an argument."),
]


@pytest.mark.parametrize(("args", "line"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_usage_error_is_one_line_with_exit_2(tmp_path, args, line):
    done = run(tmp_path / "crosspost.toml", *args, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [line]


def test_help_is_still_the_help(tmp_path):
    shown = run(tmp_path / "crosspost.toml", "posts", "list", "--help")
    assert "--limit" in shown.stdout and shown.returncode == 0
    group = run(tmp_path / "crosspost.toml", "posts", check=False)
    assert group.returncode == 2 and "list" in group.stdout + group.stderr


def test_an_id_beyond_64_bits_is_one_line_and_changes_nothing(tmp_path):
    (tmp_path / "data").mkdir()
    config = tmp_path / "crosspost.toml"
    config.write_text('[crosspost]\ndata_dir = "data"\n', encoding="utf-8")
    run(config, "db", "upgrade")
    before = (tmp_path / "data" / "crosspost.db").read_bytes()
    for args in (("cancel", "99999999999999999999"), ("posts", "show", "99999999999999999999")):
        done = run(config, *args, check=False)
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "error: a number on the command line is too large: ids and counts go up to "
            "9223372036854775807; check the numbers you typed"
        ]
    assert (tmp_path / "data" / "crosspost.db").read_bytes() == before


def test_an_argument_that_is_not_utf8_is_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from tests.acceptance.cli import ROOT, cli_env

    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"crosspost", b"content", b"list", b"--unit", b"ab\xff"],
        env={k.encode(): v.encode() for k, v in cli_env(tmp_path / "c.toml").items()},
        capture_output=True,
        cwd=os.fsencode(ROOT),
    )
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        "error: argument 4 is not UTF-8 text (b'ab\\xff'); type it again, or set a UTF-8 locale "
        "(e.g. LANG=C.UTF-8)"
    ]


def test_a_config_that_cannot_be_read_is_one_line(tmp_path):
    not_utf8 = tmp_path / "latin1.toml"
    not_utf8.write_bytes(b'[crosspost]\ndata_dir = "data"\n# Ngh\xe9 An\n')
    too_long = tmp_path / ("a" * 5000)
    cases = {
        not_utf8: f"error: {not_utf8}: not UTF-8 (byte 0xe9 at offset 35); save the file as UTF-8",
        tmp_path: f"error: {tmp_path}: is a folder, not a file; name the file inside it",
        too_long: "cannot be read (File name too long); check the path",
    }
    for config, line in cases.items():
        done = run(config, "posts", "list", check=False)
        assert done.returncode == 2
        [shown] = done.stderr.splitlines()
        assert shown.endswith(line) and len(shown) < 400, shown


def test_no_config_anywhere_says_so_rather_than_name_a_data_folder(tmp_path):
    import os
    import subprocess
    import sys

    from tests.acceptance.cli import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "crosspost", "posts", "list"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: no config file: none given and no config/crosspost.toml under {tmp_path}; "
        "pass --config PATH or set CROSSPOST_CONFIG (or run `crosspost db upgrade` to start "
        f"with the defaults in {tmp_path / 'var'})"
    ]
    assert not (tmp_path / "var").exists()
