"""Config validation: each wrong key or value is one line naming the file, the key and the fix."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crosspost.config import load_config, parse_config
from crosspost.errors import ConfigError

SOURCE = Path("/etc/crosspost/crosspost.toml")


def parse(text: str):
    return parse_config(tomllib.loads(text), SOURCE)


def test_defaults_are_vietnam_time_and_a_local_sqlite_file():
    config = parse("")
    assert config.timezone.key == "Asia/Ho_Chi_Minh"
    assert config.database_url == "sqlite:////etc/crosspost/var/crosspost.db"
    assert config.worker.concurrency == 4
    assert config.uploads.max_file_bytes == 512 * 1024 * 1024
    assert config.uploads.max_zip_entries == 200 and config.uploads.max_zip_ratio == 100


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "/etc/crosspost/crosspost.toml: colour: unknown key; allowed here:"),
        ('[crosspost]\ntimezone = "Hanoi"', "[crosspost] timezone: 'Hanoi' is not an IANA zone"),
        ("[worker]\nconcurrency = 0", "[worker] concurrency: 0 must be an integer from 1 to 256"),
        ('[worker]\nconcurrency = "4"', "[worker] concurrency: '4' must be an integer"),
        ("[retry]\nmax_attempts = true", "[retry] max_attempts: True must be an integer"),
        ("[retry]\nbackof = 2", "[retry] backof: unknown key; allowed here: base_seconds"),
        ('[windows.x]\nhours = ["22:00-07:00"]', "[windows.x] hours: ['22:00-07:00'] must be"),
        ('[accounts.a]\nplatform = "tiktok"', "[accounts.a] platform: 'tiktok' is not one of"),
        ("[accounts.a]\nenabled = true", "[accounts.a] platform: is required"),
        (
            '[accounts.a]\nplatform = "x"\nadapter = "tests.support.memory_adapter:MemoryX"\n'
            "colour = 1",
            "[accounts.a] colour: unknown key; allowed here:",
        ),
        (
            '[accounts.a]\nplatform = "x"\nadapter = "tests.support.memory_adapter:MemoryFacebook"',
            "[accounts.a] adapter: adapter 'tests.support.memory_adapter:MemoryFacebook' serves",
        ),
        (
            '[accounts.a]\nplatform = "x"\nadapter = "tests.support.memory_adapter:MemoryX"\n'
            '[accounts.a.credentials]\ntoken = "abc123"',
            "[accounts.a.credentials] token: must be 'env:VARIABLE' or 'secrets'",
        ),
        ('[notify]\nurls = "mailto://a"', "[notify] urls: must be a list"),
        ("[uploads]\nmax_zip_entries = 0", "[uploads] max_zip_entries: 0 must be an integer from"),
        ('[uploads]\nmax_file_bytes = "1MB"', "[uploads] max_file_bytes: '1MB' must be an integer"),
        ("[uploads]\nmax_zip = 3", "[uploads] max_zip: unknown key; allowed here: max_file_bytes"),
        (
            "[uploads]\nmax_file_bytes = 20000\nmax_request_bytes = 10000",
            "[uploads] max_file_bytes: 20000 is more than max_request_bytes (10000); a file",
        ),
    ],
)
def test_each_problem_is_one_line_naming_file_and_key(text, message):
    with pytest.raises(ConfigError) as caught:
        parse(text)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(str(SOURCE))
    assert message in line


def test_a_credential_value_is_never_echoed():
    text = (
        '[accounts.a]\nplatform = "x"\nadapter = "tests.support.memory_adapter:MemoryX"\n'
        '[accounts.a.credentials]\ntoken = "s3cr3t-value"'
    )
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert "s3cr3t-value" not in str(caught.value)


def test_database_url_from_environment_wins(monkeypatch):
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", "postgresql://db.local/crosspost")
    assert parse('[crosspost]\ndatabase_url = "sqlite:///x.db"').database_url == (
        "postgresql://db.local/crosspost"
    )


def test_relative_sqlite_path_is_relative_to_the_config_file():
    config = parse('[crosspost]\ndatabase_url = "sqlite:///data/crosspost.db"')
    assert config.database_url == "sqlite:////etc/crosspost/data/crosspost.db"


def test_a_relative_path_in_the_sqlite_uri_form_is_relative_to_the_config_file_too():
    url = "sqlite:///file:data/crosspost.db?mode=ro&uri=true"
    config = parse(f'[crosspost]\ndatabase_url = "{url}"')
    assert config.database_url == "sqlite:///file:/etc/crosspost/data/crosspost.db?mode=ro&uri=true"
    kept = "sqlite:///file:memdb1?mode=memory&cache=shared&uri=true"
    assert parse(f'[crosspost]\ndatabase_url = "{kept}"').database_url == kept


def test_config_found_through_the_environment(monkeypatch, tmp_path):
    path = tmp_path / "other.toml"
    path.write_text("[worker]\nconcurrency = 9\n")
    monkeypatch.setenv("CROSSPOST_CONFIG", str(path))
    assert load_config().worker.concurrency == 9


def test_missing_config_file_says_how_to_point_at_one(tmp_path):
    with pytest.raises(ConfigError, match="no such config file; pass --config PATH"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[worker\n")
    with pytest.raises(ConfigError, match=f"{path}: not valid TOML"):
        load_config(path)


def test_an_account_budget_overrides_the_platforms_documented_defaults():
    config = parse(
        '[accounts.yt]\nplatform = "youtube"\n[accounts.yt.budget]\nper_day = 6\nper_hour = 2\n'
        '[accounts.xx]\nplatform = "x"\n[accounts.xx.budget]\nper_15_minutes = 0\n'
    )
    youtube = config.accounts["yt"].budget
    assert youtube.limits == {"per_day": 6, "per_hour": 2}
    assert youtube.day_zone == "America/Los_Angeles"  # YouTube's quota day
    assert config.accounts["xx"].budget.limits == {}  # 0 removes the default window


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("per_week = 3", "[accounts.yt.budget] per_week: unknown key; allowed here: per_15_min"),
        ("per_day = -1", "[accounts.yt.budget] per_day: -1 must be an integer from 0 to"),
        ("per_day = 2.5", "[accounts.yt.budget] per_day: 2.5 must be an integer"),
    ],
)
def test_a_wrong_budget_is_one_line_naming_the_key(budget, message):
    with pytest.raises(ConfigError) as caught:
        parse(f'[accounts.yt]\nplatform = "youtube"\n[accounts.yt.budget]\n{budget}\n')
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
