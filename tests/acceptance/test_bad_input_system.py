"""Bad input from the system around crosspost: a broken database, secrets, config, output.
Each case: the exit code, the one line, and nothing changed (issue 13, items 3, 4, 5, 7)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from crosspost.cli.app import app
from tests.acceptance.cli import run
from tests.acceptance.test_bad_input import assert_refused, state_of
from tests.conftest import memory_accounts_toml
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance

# Arguments enough for each command to reach the database (or refuse before it).
ARGS = {
    "import": ["/nonexistent-submission"],
    "schedule": ["1", "--at", "now"],
    "cancel": ["1"],
    "retry": ["1"],
    "repost": ["1", "--platform", "x", "--reason", "r"],
    "preview": ["1"],
    "worker": ["--once"],
    "report": ["--month", "2026-11"],
    "plan": ["--month", "2026-11"],
    "content add": ["--kind", "article", "--title", "t", "--link", "https://a.vn/b"],
    "content show": ["1"],
    "content submit": ["1"],
    "content approve": ["1"],
    "content reject": ["1", "--reason", "r"],
    "posts show": ["1"],
    "posts redraft": ["1", "--reason", "r"],
    "users add": ["bien-tap", "--role", "editor"],
    "users passwd": ["bien-tap", "--password-stdin"],
    "users disable": ["bien-tap"],
    "users token": ["bien-tap"],
}
# Commands that do not open the database first: the sandbox serves forever, samples write
# files, auth prompts for the platform's consent (stdin is closed here: "Aborted.").
NO_DATABASE = {"sandbox", "samples make", "auth facebook", "auth youtube", "auth x"}


def every_command() -> list[str]:
    """Every leaf command of `crosspost`, as `crosspost --help` lists them, recursively."""
    import typer.main
    from typer import _click  # the click typer vendors (0.29+)

    def walk(command: _click.Command, prefix: str) -> list[str]:
        if hasattr(command, "list_commands"):
            ctx = _click.Context(command)
            return [
                name
                for sub in command.list_commands(ctx)
                for name in walk(command.get_command(ctx, sub), f"{prefix} {sub}".strip())  # type: ignore[arg-type]
            ]
        return [prefix]

    return walk(typer.main.get_command(app), "")


def test_the_command_list_is_complete():
    assert {"import", "worker", "db upgrade", "posts list", "auth x"} <= set(every_command())


@pytest.fixture
def corrupt(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    database = data / "crosspost.db"
    database.write_bytes(b"not a database, only some text that SQLite will not read " * 4)
    config = tmp_path / "crosspost.toml"
    config.write_text(
        f'[crosspost]\ndatabase_url = "sqlite:///{database}"\ndata_dir = "{data}"\n\n'
        + memory_accounts_toml(tmp_path / "journal.jsonl")
    )
    return config, database


@pytest.mark.parametrize("command", [c for c in every_command() if c not in NO_DATABASE])
def test_every_command_on_a_corrupt_database_is_one_line(corrupt, command):
    config, database = corrupt
    before = database.read_bytes()
    args = [*command.split(), *ARGS.get(command, [])]
    result = run(config, *args, check=False, CROSSPOST_UNITS=str(config.parent / "none.toml"))
    assert "Traceback" not in result.stderr + result.stdout
    assert "Usage:" not in result.stderr, "the test's arguments are wrong"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: "), result.stderr
    assert database.read_bytes() == before


# --- the cases table ------------------------------------------------------------------------


def config_with(tmp_path: Path, db, crosspost: str = "", rest: str = "") -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{data}"\n{crosspost}\n'
        + memory_accounts_toml(tmp_path / "journal.jsonl")
        + rest
    )
    return path


def test_truncated_sqlite_file(tmp_path, sqlite_db):
    database = Path(sqlite_db.url.removeprefix("sqlite:///"))
    sqlite_db.engine.dispose()
    whole = database.read_bytes()
    database.write_bytes(whole[: len(whole) // 2])
    path = config_with(tmp_path, sqlite_db)
    result = run(path, "posts", "list", check=False)
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"error: the database file {database} is not a readable SQLite database (database "
        "disk image is malformed); restore it from a backup, or point database_url at the right "
        "file"
    )
    assert database.read_bytes() == whole[: len(whole) // 2]


def test_mysql_url_is_one_line(tmp_path, sqlite_db):
    path = config_with(tmp_path, sqlite_db)
    result = run(path, "posts", "list", check=False, CROSSPOST_DATABASE_URL="mysql://nope")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: database URL mysql://nope: crosspost does not support mysql; use sqlite:///PATH "
        "or postgresql://USER@HOST/DB (database_url or CROSSPOST_DATABASE_URL)"
    )


def test_read_only_database_refuses_a_write_and_serves_a_read(tmp_path, sqlite_db):
    # mode=ro: read-only even for root, as chmod 444 is for anyone else (the same SQLite error)
    database = sqlite_db.url.removeprefix("sqlite:///")
    path = config_with(tmp_path, sqlite_db)
    read_only = {"CROSSPOST_DATABASE_URL": f"sqlite:///file:{database}?mode=ro&uri=true"}
    before = state_of(sqlite_db)
    result = run(
        path, "content", "add", "--kind", "article", "--title", "t", check=False, **read_only
    )
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"error: the database file {database} is read-only (attempt to write a readonly "
        "database); give the user running crosspost write access to the file and its folder"
    )
    assert run(path, "posts", "list", **read_only).returncode == 0
    assert state_of(sqlite_db) == before


def test_a_locked_database_says_who_and_what_to_do():
    from sqlalchemy.exc import OperationalError

    from crosspost.db.engine import describe_database_error

    text = describe_database_error(
        "sqlite:////var/x.db", OperationalError("BEGIN", {}, Exception("database is locked"))
    )
    assert text == (
        "the database file /var/x.db is locked by another process (database is locked, waited "
        "30 s); let it finish and try again"
    )


def test_mistyped_data_dir_is_refused_not_a_new_database(tmp_path, sqlite_db):
    path = tmp_path / "crosspost.toml"
    path.write_text(f'[crosspost]\ndata_dir = "{tmp_path / "dta"}"\n')
    result = run(path, "content", "list", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}: [crosspost] data_dir: {tmp_path / 'dta'} does not exist; fix the path, "
        "or run `crosspost db upgrade` to create a new, empty one"
    )
    assert not (tmp_path / "dta").exists()
    # db upgrade is the one command that creates it
    assert run(path, "db", "upgrade").returncode == 0
    assert (tmp_path / "dta" / "crosspost.db").exists()
    assert run(path, "content", "list").returncode == 0


def test_mistyped_sqlite_path_is_refused(tmp_path, sqlite_db):
    (tmp_path / "data").mkdir()
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndata_dir = "{tmp_path / "data"}"\ndatabase_url = "sqlite:///crospost.db"\n'
    )
    result = run(path, "posts", "list", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}: [crosspost] database_url: the database file {tmp_path / 'crospost.db'} "
        "does not exist; fix the path, or run `crosspost db upgrade` to create a new, empty one"
    )
    assert not (tmp_path / "crospost.db").exists()


def test_an_empty_database_file_is_refused_not_made_a_new_database(tmp_path, sqlite_db):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "crosspost.db").write_bytes(b"")  # a failed copy, a full disk
    path = tmp_path / "crosspost.toml"
    path.write_text(f'[crosspost]\ndata_dir = "{tmp_path / "data"}"\n')
    result = run(path, "posts", "list", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}: [crosspost] data_dir: the database file "
        f"{tmp_path / 'data' / 'crosspost.db'} is empty (0 bytes); restore it from a backup or "
        "fix the path, or run `crosspost db upgrade` to make it a new, empty database"
    )
    assert (tmp_path / "data" / "crosspost.db").stat().st_size == 0
    assert run(path, "db", "upgrade").returncode == 0
    assert run(path, "posts", "list").returncode == 0


def test_page_id_as_a_number_says_quote_it(tmp_path, db):
    path = config_with(
        tmp_path, db, rest='\n[accounts.fb]\nplatform = "facebook"\npage_id = 12345\n'
    )
    assert_refused(
        db,
        path,
        ["posts", "list"],
        'page_id: 12345 is an integer; it must be a string: quote it (page_id = "12345")',
    )


def test_several_config_problems_are_all_listed(tmp_path, db):
    path = config_with(
        tmp_path,
        db,
        crosspost='timezone = "Hanoi"',
        rest="\n[worker]\nconcurrency = 0\n[retry]\nbackof = 2\n"
        '[accounts.fb]\nplatform = "facebook"\npage_id = 12345\n',
    )
    before = state_of(db)
    result = run(path, "posts", "list", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: {path}: 4 problems; fix them all:"
    assert [line.split(": ", 3)[2] for line in lines[1:]] == [
        "[crosspost] timezone",
        "[accounts.fb] page_id",
        "[worker] concurrency",
        "[retry] backof",
    ]
    assert "Traceback" not in result.stderr
    assert state_of(db) == before


def test_units_name_of_the_wrong_type_says_the_type(tmp_path, db):
    path = config_with(tmp_path, db)
    (tmp_path / "units.toml").write_text("[units.ha-noi]\nname = 5\n")
    assert_refused(
        db,
        path,
        ["report", "--month", "2026-11"],
        "[units.ha-noi] name: must be a string, not int: quote it (5)",
    )


def test_formula_in_a_unit_name_is_neutralised_in_csv(tmp_path, db):
    path = config_with(tmp_path, db)
    (tmp_path / "units.toml").write_text(
        '[units.ha-noi]\nname = "=cmd|\' /C calc\'!A0"\n[units.hue]\nname = "@SUM(A1)"\n'
        '[units.tay-ninh]\nname = "+1"\n[units.da-nang]\nname = "-2"\n'
    )
    before = state_of(db)
    result = run(path, "report", "--month", "2026-11", "--csv")
    assert result.returncode == 0
    names = {row["unit"]: row["name"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert names == {
        "ha-noi": "'=cmd|' /C calc'!A0",
        "hue": "'@SUM(A1)",
        "tay-ninh": "'+1",
        "da-nang": "'-2",
    }
    assert state_of(db) == before


# --- secrets: an account-wide problem pauses the account, never fails its posts --------------


def secrets_config(tmp_path: Path, db, secrets: str, mode: int) -> Path:
    path = config_with(
        tmp_path,
        db,
        rest='[accounts.page.credentials]\ntoken = "secrets"\n',
    )
    secrets_file = tmp_path / "data" / "secrets.toml"
    secrets_file.write_text(secrets)
    os.chmod(secrets_file, mode)
    return path


def due_posts(db, tmp_path):
    from crosspost.config import load_config
    from crosspost.scheduling import schedule
    from crosspost.timeutil import utcnow

    with db.factory.begin() as session:
        item = make_content(session)
        schedule(session, load_config(tmp_path / "crosspost.toml"), item.id, utcnow(), actor="t")


@pytest.mark.parametrize(
    ("secrets", "mode", "problem"),
    [
        (
            '[page]\ntoken = "abc"\n',
            0o644,
            "is readable by group or others (mode -rw-r--r--); run: chmod 600",
        ),
        ("[page]\ntoken = 5\n", 0o600, "[page] token: must be a string, not int: quote it"),
        ("[page\n", 0o600, "not valid TOML"),
        ('[other]\ntoken = "abc"\n', 0o600, "no value for token (not in the secrets file)"),
    ],
)
def test_unusable_secrets_pause_the_account_and_fail_no_post(tmp_path, db, secrets, mode, problem):
    path = secrets_config(tmp_path, db, '[page]\ntoken = "abc"\n', 0o600)
    due_posts(db, tmp_path)
    # Given the secrets file goes wrong after the posts were scheduled
    secrets_file = tmp_path / "data" / "secrets.toml"
    secrets_file.write_text(secrets)
    os.chmod(secrets_file, mode)
    result = run(path, "worker", "--once")
    assert "failed 0" in result.stdout
    paused = [line for line in result.stderr.splitlines() if line.startswith("paused:")]
    assert len(paused) == 1
    assert paused[0].startswith("paused: account page: ")
    assert problem in paused[0]
    assert paused[0].endswith("once fixed, run `crosspost accounts check page`")
    assert "Traceback" not in result.stderr
    posts = json.loads(run(path, "posts", "list", "--json").stdout)
    page = [p for p in posts if p["account"] == "page"]
    assert [p["state"] for p in page] == ["scheduled"]
    assert page[0]["attempts"] == 0
    others = [p["state"] for p in posts if p["account"] != "page"]
    assert others and set(others) == {"published"}
    # `accounts list` still lists every account, the broken one with its problem
    accounts = {a["name"]: a for a in json.loads(run(path, "accounts", "list", "--json").stdout)}
    assert accounts["page"]["paused_at"] is not None
    if "no value for token" in problem:  # the file reads; only the value is missing
        assert accounts["page"]["credentials"] == {"token": False}
    else:
        assert problem in accounts["page"]["credentials_problem"]
    assert all(a["credentials_problem"] is None for n, a in accounts.items() if n != "page")
    listed = run(path, "accounts", "list", COLUMNS="80").stdout
    assert max(map(len, listed.splitlines())) <= 80 and "page" in listed
    # Once fixed, `accounts check` resumes it and the post goes out
    secrets_file = tmp_path / "data" / "secrets.toml"
    secrets_file.write_text('[page]\ntoken = "abc"\n')
    os.chmod(secrets_file, 0o600)
    assert "(resumed)" in run(path, "accounts", "check", "page").stdout
    run(path, "worker", "--once")
    posts = json.loads(run(path, "posts", "list", "--json").stdout)
    assert {p["state"] for p in posts} == {"published"}


def test_one_accounts_mistyped_secret_pauses_that_account_only(tmp_path, db):
    path = config_with(
        tmp_path,
        db,
        rest='[accounts.page.credentials]\ntoken = "secrets"\n'
        '[accounts.xacct.credentials]\ntoken = "secrets"\n',
    )
    secrets_file = tmp_path / "data" / "secrets.toml"
    secrets_file.write_text('[page]\ntoken = "abc"\n\n[xacct]\ntoken = "abc"\n')
    os.chmod(secrets_file, 0o600)
    due_posts(db, tmp_path)
    # Given one account's secret is then mistyped (a number, not a string)
    secrets_file.write_text('[page]\ntoken = 5\n\n[xacct]\ntoken = "abc"\n')
    result = run(path, "worker", "--once")
    paused = [line for line in result.stderr.splitlines() if line.startswith("paused:")]
    assert paused == [
        f"paused: account page: {secrets_file}: [page] token: must be a string, not int: quote "
        "it; once fixed, run `crosspost accounts check page`"
    ]
    posts = json.loads(run(path, "posts", "list", "--json").stdout)
    assert {p["account"]: p["state"] for p in posts}["xacct"] == "published"
    assert {p["account"]: p["state"] for p in posts}["page"] == "scheduled"
