"""units.toml: the sample reads as the journal's units; each wrong key or value is one line
naming the file and the key; who may approve follows [review] approvers, or anyone without it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crosspost.config import parse_config
from crosspost.errors import ConfigError, UserError
from crosspost.intake.units import Intake, load_intake, parse_intake, units_path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path("/etc/crosspost/units.toml")


def parse(text: str) -> Intake:
    return parse_intake(tomllib.loads(text), SOURCE)


def test_the_sample_lists_the_committees_with_default_and_overridden_quotas():
    path = ROOT / "config" / "units.toml"
    intake = parse_intake(tomllib.loads(path.read_text(encoding="utf-8")), path)
    assert 4 <= len(intake.units) <= 6
    nghe_an = intake.unit("nghe-an")
    assert nghe_an.name == "Tỉnh ủy Nghệ An"
    assert nghe_an.contact and "@" in nghe_an.contact
    assert dict(nghe_an.quotas) == {"article": 3, "video": 2, "podcast": 1}
    overridden = {
        c: dict(u.quotas)
        for c, u in intake.units.items()
        if dict(u.quotas) != {"article": 3, "video": 2, "podcast": 1}
    }
    assert overridden == {"ha-noi": {"article": 4, "video": 3, "podcast": 1}}
    assert "bien-tap-vien" in intake.approvers


def test_defaults_apply_and_a_unit_overrides_one_kind():
    intake = parse(
        "[defaults.quotas]\nvideo = 1\n"
        '[units.a]\nname = "Tỉnh ủy A"\n'
        '[units.b]\nname = "Tỉnh ủy B"\n[units.b.quotas]\npodcast = 0\n'
    )
    assert dict(intake.unit("a").quotas) == {"article": 3, "video": 1, "podcast": 1}
    assert dict(intake.unit("b").quotas) == {"article": 3, "video": 1, "podcast": 0}
    assert intake.unit("a").contact is None


def test_unit_names_are_stored_nfc():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Tỉnh ủy Hà Tĩnh")
    assert parse(f'[units.ha-tinh]\nname = "{decomposed}"').unit("ha-tinh").name == (
        "Tỉnh ủy Hà Tĩnh"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "units.toml: colour: unknown key; allowed here: defaults, review, units"),
        ("defaults = 3", "units.toml: defaults: must be a table"),
        (
            "[defaults]\nquota = 3",
            "units.toml: [defaults] quota: unknown key; allowed here: quotas",
        ),
        ("[defaults.quotas]\nfilm = 1", "[defaults.quotas] film: not one of article, podcast"),
        ("[defaults.quotas]\nvideo = -1", "[defaults.quotas] video: -1 must be an integer 0-1000"),
        ('[defaults.quotas]\nvideo = "2"', "[defaults.quotas] video: '2' must be an integer"),
        ("[review]\napprover = []", "[review] approver: unknown key; allowed here: approvers"),
        ('[review]\napprovers = "minh"', "[review] approvers: must be a list of user names"),
        ('[review]\napprovers = [""]', "[review] approvers: must be a list of user names"),
        ('[units.Nghe_An]\nname = "x"', "[units.Nghe_An]: a unit code is lower-case letters"),
        ("[units]\nnghe-an = 1", "[units.nghe-an]: must be a table"),
        ('[units.a]\nname = "A"\nemail = "x"', "[units.a] email: unknown key; allowed here:"),
        ("[units.a]\ncontact = 'x'", "[units.a] name: is required"),
        ('[units.a]\nname = "  "', "[units.a] name: is required"),
        ('[units.a]\nname = "A"\ncontact = 5', "[units.a] contact: must be a string"),
        ('[units.a]\nname = "A"\nquotas = 3', "[units.a.quotas]: must be a table"),
        ('[units.a]\nname = "A"\n[units.a.quotas]\nvideo = 1.5', "[units.a.quotas] video: 1.5"),
    ],
)
def test_each_problem_is_one_line_naming_file_and_key(text, message):
    with pytest.raises(ConfigError) as caught:
        parse(text)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(str(SOURCE))
    assert message in line


def config_in(folder: Path):
    path = folder / "crosspost.toml"
    path.write_text("", encoding="utf-8")
    return parse_config({}, path)


def test_the_file_beside_the_config_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSPOST_UNITS", raising=False)
    (tmp_path / "units.toml").write_text(
        '[review]\napprovers = ["minh"]\n[units.a]\nname = "A"\n', encoding="utf-8"
    )
    config = config_in(tmp_path)
    intake = load_intake(config)
    assert units_path(config) == tmp_path / "units.toml"
    assert intake.path == tmp_path / "units.toml"
    assert list(intake.units) == ["a"] and intake.approvers == ("minh",)


def test_bad_toml_is_one_line_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSPOST_UNITS", raising=False)
    (tmp_path / "units.toml").write_text("[units.a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"units\.toml: not valid TOML") as caught:
        load_intake(config_in(tmp_path))
    assert "\n" not in str(caught.value)


def test_a_units_file_named_in_the_environment_must_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPOST_UNITS", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match=r"typo\.toml: no such units file; fix \$CROSSPOST_UNITS"):
        load_intake(config_in(tmp_path))


def test_only_listed_approvers_may_review():
    intake = parse('[review]\napprovers = ["tong-bien-tap", "bien-tap-vien"]')
    intake.check_approver("bien-tap-vien")
    with pytest.raises(UserError) as caught:
        intake.check_approver("phong-vien")
    assert str(caught.value) == (
        "'phong-vien' may not approve or reject: approvers are tong-bien-tap, bien-tap-vien; "
        f"add them to [review] approvers in {SOURCE}"
    )


def test_a_units_file_without_approvers_lets_nobody_review():
    with pytest.raises(UserError, match="approvers are nobody yet"):
        parse('[units.a]\nname = "A"').check_approver("tong-bien-tap")


def test_without_a_units_file_review_is_open_and_nothing_can_be_imported(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSPOST_UNITS", raising=False)
    intake = load_intake(config_in(tmp_path))
    assert intake.path is None and not intake.units
    intake.check_approver("anyone")  # does not raise
    with pytest.raises(UserError, match="unknown unit 'nghe-an'"):
        intake.unit("nghe-an")


def test_every_problem_of_the_file_is_reported_at_once():
    from crosspost.errors import Problems

    text = (
        "colour = 1\n"
        '[review]\napprovers = "minh"\n'
        "[units.a]\nname = 5\n"
        '[units.b]\nname = "B"\nemail = "x"\n[units.b.quotas]\nfilm = 1\n'
        '[units.c]\nname = "C"\n'
    )
    with pytest.raises(Problems) as caught:
        parse(text)
    lines = caught.value.lines()
    assert lines[0] == f"{SOURCE}: 5 problems; fix them all:"
    assert [line.removeprefix(f"{SOURCE}: ") for line in lines[1:]] == [
        "colour: unknown key; allowed here: defaults, review, units",
        "[review] approvers: must be a list of user names",
        "[units.a] name: must be a string, not int: quote it (5)",
        "[units.b] email: unknown key; allowed here: contact, name, quotas",
        "[units.b.quotas] film: not one of article, podcast, video",
    ]
