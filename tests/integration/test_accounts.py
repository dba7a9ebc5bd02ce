"""`accounts check` verifies credentials against the platforms (the sandbox, through the real
adapters) and resumes a paused account once they work; secrets stay private."""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import select, update

from crosspost.accounts import check_accounts, sync_accounts
from crosspost.config import load_config
from crosspost.credentials import read_secrets_file, store_secrets
from crosspost.db.engine import make_engine, session_factory, transaction
from crosspost.db.migrate import ensure_schema
from crosspost.db.models import Account, AuditEvent
from crosspost.demo import start_sandbox, write_config
from crosspost.errors import UserError
from tests.acceptance.cli import run


@pytest.fixture
def sandbox():
    with start_sandbox() as server:
        yield server


@pytest.fixture
def setup(tmp_path, sandbox):
    path = write_config(tmp_path, sandbox.url)
    config = load_config(path)
    engine = make_engine(config.database_url)
    ensure_schema(engine)
    return config, session_factory(engine), path


def test_every_account_passes_against_the_sandbox(setup):
    config, factory, _ = setup
    results = check_accounts(factory, config, actor="ops")
    assert [(r.account, r.ok) for r in results] == [
        ("tapchi-facebook", True),
        ("tapchi-youtube", True),
        ("tapchi-x", True),
    ]
    assert all(r.identity for r in results)


def test_expired_token_fails_then_a_fixed_one_resumes_the_paused_account(setup, sandbox):
    config, factory, _ = setup
    # Given the X account was paused after an authentication failure
    with transaction(factory) as session:
        sync_accounts(session, config)
        session.execute(
            update(Account)
            .where(Account.name == "tapchi-x")
            .values(paused_at=Account.created_at, paused_reason="account paused: token expired")
        )
    # When the token is still refused, the check fails and the account stays paused
    sandbox.app.faults.configure({"rules": [{"fault": "expired", "platform": "x"}]})
    (failed,) = check_accounts(factory, config, ["tapchi-x"], actor="ops")
    assert not failed.ok and failed.error
    # When it works again, the check passes and resumes the account, in the audit trail
    (passed,) = check_accounts(factory, config, ["tapchi-x"], actor="ops")
    assert passed.ok and passed.resumed
    with factory() as session:
        account = session.scalar(select(Account).where(Account.name == "tapchi-x"))
        assert account.paused_at is None
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["resume"]


def test_secrets_file_is_written_private_and_merged(tmp_path):
    path = tmp_path / "secrets.toml"
    store_secrets(path, "tapchi-x", {"access_token": 'a"b'})
    store_secrets(path, "tapchi-x", {"access_token_secret": "s"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_secrets_file(path) == {
        "tapchi-x": {"access_token": 'a"b', "access_token_secret": "s"}
    }


def test_group_readable_secrets_file_is_refused(tmp_path):
    path = tmp_path / "secrets.toml"
    store_secrets(path, "a", {"k": "v"})
    path.chmod(0o640)
    with pytest.raises(UserError, match=r"readable by group or others .* run: chmod 600"):
        read_secrets_file(path)


def test_accounts_list_shows_which_credentials_exist_never_their_values(setup):
    _, _, path = setup
    secrets = (path.parent / "secrets.toml").read_text()
    result = run(path, "accounts", "list", "--json")
    listed = json.loads(result.stdout)
    assert {a["name"]: a["credentials"] for a in listed}["tapchi-x"] == {
        "consumer_key": True,
        "consumer_secret": True,
        "access_token": True,
        "access_token_secret": True,
    }
    for line in secrets.splitlines():
        if "=" in line:
            value = line.split("=", 1)[1].strip().strip('"')
            assert value not in result.stdout + result.stderr
