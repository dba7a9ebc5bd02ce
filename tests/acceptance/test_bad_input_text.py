"""Bad text and times (issue 13, items 8-10): one clear line, a non-zero exit, nothing changed.

Each case runs the real CLI. Text goes in through `content add` (flags or --file) and
`import`, which judge an item with the same function (`crosspost.items`); times through
`schedule` and `repost` with [crosspost] timezone America/New_York, which has DST gaps and
overlaps (Asia/Ho_Chi_Minh has none).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.cli import run
from tests.acceptance.test_bad_input import add_item, assert_refused, state_of
from tests.conftest import memory_accounts_toml
from tests.support.samples import NGHE_AN, copy_samples, sample_intake

pytestmark = pytest.mark.acceptance


@pytest.fixture
def config_file(tmp_path, db, journal):
    path = tmp_path / "crosspost.toml"
    (tmp_path / "data").mkdir(exist_ok=True)  # data_dir must exist (db upgrade creates it)
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n'
        'timezone = "America/New_York"\n\n' + memory_accounts_toml(journal),
        encoding="utf-8",
    )
    sample_intake(tmp_path)  # units.toml beside the config, for `import`
    return path


def media_store(tmp_path: Path) -> list[str]:
    data = tmp_path / "data"
    return sorted(str(p.relative_to(data)) for p in data.rglob("*")) if data.exists() else []


def assert_problem(db, config_file, args, expected):
    """Refused with exit 2: exactly one line, holding `expected`, no traceback, the database
    and the media store as they were."""
    before, files = state_of(db), media_store(config_file.parent)
    result = run(config_file, *args, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "problem(s)" not in lines[0], result.stderr
    assert lines[0].startswith("error: the ") and expected in lines[0], result.stderr
    assert state_of(db) == before
    assert media_store(config_file.parent) == files


ADD = ["content", "add", "--kind", "article"]

# (field flags, the line's expected text)
TEXT_CASES = {
    "ESC sequence in the title": (
        ["--title", "Đại hội \x1b[31mĐảng"],
        "title: contains U+001B ESCAPE at character 9: a control character",
    ),
    "BEL in the summary": (
        ["--title", "Tin", "--summary", "chuông\x07"],
        "summary: contains U+0007 BELL at character 7",
    ),
    "right-to-left override": (
        ["--title", "tệp \u202egpj.exe"],
        "title: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 5: a bidi control",
    ),
    "left-to-right isolate on line 2 of the body": (
        ["--title", "Tin", "--body", "dòng một\ndòng \u2066hai"],
        "body: contains U+2066 LEFT-TO-RIGHT ISOLATE at line 2, column 6",
    ),
    "zero-width spaces, counted": (
        ["--title", "Nghệ\u200bAn\u200b\u200b"],
        "title: contains U+200B ZERO WIDTH SPACE at character 5 (and 2 more)",
    ),
    "BOM at the start": (
        ["--title", "\ufeffTiêu đề"],
        "title: contains U+FEFF ZERO WIDTH NO-BREAK SPACE (BOM) at character 1",
    ),
    "ZWJ between letters": (
        ["--title", "a\u200db"],
        "title: contains U+200D ZERO WIDTH JOINER at character 2",
    ),
    "C1 control": (["--title", "Tin\x85"], "title: contains U+0085 C1 CONTROL at character 4"),
    "DEL in a hashtag": (["--title", "Tin", "--hashtag", "Tag\x7f"], "U+007F DELETE"),
    "hashtag with spaces": (
        ["--title", "Tin", "--hashtag", "#có dấu cách"],
        "hashtags: hashtags[1] '#có dấu cách' holds a space: a hashtag is one word of letters, "
        "digits and _; write it as #CóDấuCách",
    ),
    "two hashtags in one": (
        ["--title", "Tin", "--hashtag", "a,b"],
        "hashtags[1] 'a,b' holds ',': a hashtag is one word of letters, digits and _; "
        "write it as #a and #b or give each tag as its own list item",
    ),
    "numeric hashtag": (
        ["--title", "Tin", "--hashtag", "2026"],
        "hashtags[1] '2026' has no letter, so no platform links it",
    ),
}


@pytest.mark.parametrize(("flags", "expected"), TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_text_refused_at_content_add(db, config_file, flags, expected):
    assert_problem(db, config_file, [*ADD, *flags], expected)


def test_more_than_sixty_hashtags_are_refused_for_youtube(db, config_file):
    tags = [arg for n in range(61) for arg in ("--hashtag", f"Tag{n}")]
    assert_problem(
        db, config_file, [*ADD, "--title", "Tin", *tags], "youtube ignores every hashtag past 60"
    )


def test_an_item_file_names_the_character_too(db, config_file, tmp_path):
    item = tmp_path / "item.toml"
    item.write_text('kind = "article"\ntitle = "Tin \\u202E mới"\n', encoding="utf-8")
    assert_problem(
        db, config_file, ["content", "add", "--file", str(item)], "U+202E RIGHT-TO-LEFT OVERRIDE"
    )


def test_import_refuses_a_bidi_override_and_stores_nothing(db, config_file, tmp_path):
    samples = copy_samples(tmp_path)
    manifest = samples / NGHE_AN / "submission.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('title = "Nghệ An:', 'title = "\u202eNghệ An:', 1), "utf-8")
    before, files = state_of(db), media_store(tmp_path)
    result = run(config_file, "import", str(samples / NGHE_AN), check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: nothing imported from "), result.stderr
    assert "items[1].title: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 1" in lines[0]
    assert state_of(db) == before and media_store(tmp_path) == files


ACCEPTED = {
    "emoji ZWJ sequences and skin tones": "Hội nghị 👁️‍🗨️ 🧑🏿‍🤝‍🧑🏻 👩🏽‍💻 🏳️‍🌈",
    "NFD Vietnamese (normalised, not a problem)": "Nghe\u0302\u0323 An đo\u0302\u0301i mo\u031bi",
    "tab and newline": "một\thai",
}


@pytest.mark.parametrize("title", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_text_that_is_fine_is_added(db, config_file, title):
    result = run(config_file, *ADD, "--title", title, "--hashtag", "#ĐạiHội", "--json")
    assert "problem" not in result.stderr


TIME_CASES = {
    "DST overlap": (
        "2027-11-07 01:30",
        "2027-11-07 01:30 happens twice in America/New_York; give its offset: "
        '--at "2027-11-07 01:30-04:00" or --at "2027-11-07 01:30-05:00"',
    ),
    "DST gap": (
        "2027-03-14 02:30",
        "2027-03-14 02:30 does not exist in America/New_York (its clocks skip that hour); "
        'give --at "2027-03-14 01:30-05:00" or "2027-03-14 03:30-04:00"',
    ),
    "date alone": ("2027-01-15", "'2027-01-15' is a date without a time"),
    "9999-12-31": ("9999-12-31", "'9999-12-31' is a date without a time"),
    "9999-12-31 with a time": ("9999-12-31 08:00", "is more than 730 days ahead"),
    "three years ahead": ("2029-12-31 08:00-05:00", "give a nearer time, or raise"),
}


@pytest.mark.parametrize(("when", "expected"), TIME_CASES.values(), ids=TIME_CASES.keys())
def test_times_refused_at_schedule(db, config_file, when, expected):
    content_id = add_item(db)
    assert_refused(db, config_file, ["schedule", content_id, "--at", when], expected)


def test_times_refused_at_repost_too(db, config_file):
    content_id = add_item(db)
    assert_refused(
        db,
        config_file,
        ["repost", content_id, "--platform", "x", "--reason", "sửa", "--at", "2027-11-07 01:30"],
        "happens twice in America/New_York",
    )


def test_a_candidate_offset_schedules_and_the_confirmation_shows_it(db, config_file):
    content_id = add_item(db)
    result = run(config_file, "schedule", content_id, "--at", "2027-11-07 01:30-05:00")
    assert "at 2027-11-07 01:30:00-05:00" in result.stdout


# A reason is printed by every listing and kept in the audit trail: control and bidi characters
# in it are refused the way they are in a title (the same hygiene rules), and nothing changes.
REASON_CASES = {
    "reject, ESC sequence": (
        lambda db: ["content", "reject", add_item(db, state="submitted"), "--by", "bien-tap-vien"],
        "Ảnh \x1b[2J chưa rõ nguồn",
        "--reason contains U+001B ESCAPE at character 5: a control character; remove it",
    ),
    "repost, right-to-left override": (
        lambda db: ["repost", add_item(db), "--platform", "x", "--at", "now"],
        "sửa \u202elỗi",
        "--reason contains U+202E RIGHT-TO-LEFT OVERRIDE at character 5: a bidi control",
    ),
    "cancel, BEL": (
        lambda db: ["cancel", "1"],
        "hủy\x07",
        "--reason contains U+0007 BELL at character 4: a control character",
    ),
}


@pytest.mark.parametrize(("args", "reason", "expected"), REASON_CASES.values(), ids=REASON_CASES)
def test_a_reason_with_control_or_bidi_characters_is_refused(
    db, config_file, args, reason, expected
):
    assert_refused(db, config_file, [*args(db), "--reason", reason], expected)
