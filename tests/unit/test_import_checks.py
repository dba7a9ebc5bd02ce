"""Checking a submission before anything is stored: a manifest folder or a CSV is read, every
problem is found at once and named by its manifest key or row, and each item gets the hash that
makes a re-import recognisable. No database: media are small stand-in files."""

from __future__ import annotations

import tomllib
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crosspost.errors import Problems, UserError
from crosspost.intake.importing import check_submission, this_month
from crosspost.intake.units import parse_intake
from crosspost.items import item_from_mapping

INTAKE = parse_intake(
    tomllib.loads(
        '[review]\napprovers = ["bien-tap-vien"]\n'
        '[units.nghe-an]\nname = "Tỉnh ủy Nghệ An"\n[units.ha-tinh]\nname = "Tỉnh ủy Hà Tĩnh"\n'
    ),
    Path("/etc/crosspost/units.toml"),
)
GOOD = """\
unit = "nghe-an"
period = "2026-11"

[[items]]
kind = "article"
title = "Đổi mới sinh hoạt chi bộ"
summary = "Chi bộ chọn một việc cụ thể mỗi tháng."
link = "https://tapchi.example.vn/bai-1"
hashtags = ["XâyDựngĐảng"]
media = { image = "media/anh.png" }

[[items]]
kind = "video"
title = "Phóng sự: bí thư chi bộ bản"
media = { video = "media/phong-su.mp4", cover = "media/bia.png" }

[[items]]
kind = "podcast"
title = "Podcast: nêu gương"
media = [{ role = "audio", path = "media/podcast.m4a" }, "cover=media/bia.png"]
"""


def stub(folder: Path, name: str, data: bytes | None = None) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if data is not None else name.encode() * 8)
    return path


def submission(folder: Path, text: str, name: str = "submission.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for media in ("anh.png", "phong-su.mp4", "bia.png", "podcast.m4a"):
        stub(folder, f"media/{media}")
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def check(path: Path, unit: str | None = None, period: str | None = None):
    return check_submission(path, INTAKE, unit=unit, period=period, default="2026-12")


def problems(path: Path, unit: str | None = None, period: str | None = None) -> list[str]:
    with pytest.raises(Problems) as caught:
        check(path, unit, period)
    assert caught.value.summary.startswith("nothing imported from ")
    assert f"{len(caught.value.problems)} problem(s)" in caught.value.summary
    return caught.value.problems


def test_a_good_manifest_gives_every_item_with_unit_period_media_and_hash(tmp_path):
    folder = submission(tmp_path / "nghe-an", GOOD)
    sub, items = check(folder)
    assert sub.source == folder / "submission.toml"
    assert [c.raw.where for c in items] == ["items[1]", "items[2]", "items[3]"]
    assert [c.item.kind.value for c in items] == ["article", "video", "podcast"]
    assert {(c.item.unit, c.item.period) for c in items} == {("nghe-an", "2026-11")}
    assert [m.path for m in items[1].item.media] == [
        folder / "media/phong-su.mp4",
        folder / "media/bia.png",
    ]
    assert all(m.sha256 for c in items for m in c.item.media)
    assert len({c.content_hash for c in items}) == 3


def test_a_yaml_manifest_reads_the_same(tmp_path):
    folder = submission(
        tmp_path / "s",
        "unit: nghe-an\nperiod: '2026-11'\nitems:\n"
        "  - kind: video\n    title: Phóng sự\n    media: {video: media/phong-su.mp4}\n",
        name="submission.yaml",
    )
    _, items = check(folder)
    assert items[0].item.title == "Phóng sự" and items[0].item.unit == "nghe-an"


def test_every_problem_in_a_manifest_is_listed_by_its_key(tmp_path):
    folder = submission(
        tmp_path / "bad",
        """\
unit = "nghe-ann"
period = "2026-13"
note = "x"

[[items]]
kind = "artikel"
title = "Bài một"
author = "Lan"

[[items]]
kind = "video"
title = "  "
link = "tapchi.example.vn/bai"
media = { cover = "media/khong-co.png" }

[[items]]
kind = "podcast"
title = "Podcast"
media = { audio = "media/anh.png", vidoe = "media/phong-su.mp4" }

[[items]]
kind = "article"
title = "Ảnh rỗng"
media = { image = "media/rong.png", cover = "media" }
""",
    )
    stub(folder, "media/rong.png", b"")
    found = problems(folder)
    assert [p.split(": ")[0] for p in found] == [
        "note",
        "unit",
        "period",
        "items[1].author",
        "items[1].kind",
        "items[2].title",
        "items[2].link",
        "items[2].media.cover",
        "items[2].media.video",
        "items[3].media.vidoe",
        "items[3].media.audio",
        "items[4].media.image",
        "items[4].media.cover",
    ]
    text = "\n".join(found)
    assert "unknown unit 'nghe-ann'; known units: ha-tinh, nghe-an" in text
    assert "month '2026-13' must be YYYY-MM" in text
    assert "'artikel' must be one of article, video, podcast" in text
    assert "khong-co.png does not exist" in text
    assert "a video needs a video file" in text
    assert "anh.png is image/png, not audio" in text
    assert "rong.png is empty" in text
    assert "is a folder, not a file" in text


def test_items_sent_twice_are_refused(tmp_path):
    nfd = unicodedata.normalize("NFD", "Đổi mới sinh hoạt chi bộ")
    twice = GOOD + f'\n[[items]]\nkind = "article"\ntitle = "{nfd}"\n'
    twice += (
        'summary = "Chi bộ chọn một việc cụ thể mỗi tháng."\n'
        'link = "https://tapchi.example.vn/bai-1"\nhashtags = ["#XâyDựngĐảng"]\n'
        'media = { image = "media/anh.png" }\n'
        '\n[[items]]\nkind = "video"\ntitle = "PHÓNG SỰ: bí thư chi bộ bản"\n'
        'media = { video = "media/phong-su.mp4" }\n'
    )
    found = problems(submission(tmp_path / "s", twice))
    assert found == [
        "items[4]: the same item as items[1]; remove one",
        "items[5]: the same video title as items[2]; remove one or retitle it",
    ]


def test_options_fill_in_and_must_not_contradict_the_manifest(tmp_path):
    folder = submission(tmp_path / "s", GOOD.replace('unit = "nghe-an"\n', ""))
    _, items = check(folder, unit="ha-tinh")
    assert {c.item.unit for c in items} == {"ha-tinh"}
    clash = submission(tmp_path / "t", GOOD)
    assert problems(clash, unit="ha-tinh", period="2026-11") == [
        "unit: the manifest says 'nghe-an' but --unit says 'ha-tinh'; "
        "drop --unit or fix the manifest"
    ]
    assert problems(folder) == [
        "unit: missing for items[1], items[2], items[3]; set it at the top of the manifest "
        "or pass --unit CODE"
    ]


def test_a_bad_month_is_listed_with_the_other_problems(tmp_path):
    text = GOOD.replace('period = "2026-11"\n', "").replace('unit = "nghe-an"\n', "")
    folder = submission(tmp_path / "s", text)
    assert problems(folder, unit="nghe-ann", period="11/2026") == [
        "--unit: unknown unit 'nghe-ann'; known units: ha-tinh, nghe-an "
        "(see /etc/crosspost/units.toml)",
        "--period: month '11/2026' must be YYYY-MM, such as 2026-11",
    ]


def test_a_submission_without_a_month_is_for_the_default_one(tmp_path):
    folder = submission(tmp_path / "s", GOOD.replace('period = "2026-11"\n', ""))
    _, items = check(folder)
    assert {c.item.period for c in items} == {"2026-12"}


def test_this_month_is_vietnam_time():
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    assert this_month(zone, datetime(2026, 10, 31, 17, 30, tzinfo=UTC)) == "2026-11"
    assert this_month(zone, datetime(2026, 10, 31, 16, 59, tzinfo=UTC)) == "2026-10"


CSV_GOOD = (
    "\ufeffKind,Title,summary,body,link,hashtags,video,cover,image\n"
    'article,Bài A,Tóm tắt A,"Đoạn một.\n\nĐoạn hai.",https://tapchi.example.vn/a,'
    '"ChiBộ, HàTĩnh",,,media/anh.png\n'
    ",,,,,,,,\n"
    "video,Video B,,,,,media/phong-su.mp4,media/bia.png,\n"
)


def csv_file(folder: Path, text: str) -> Path:
    submission(folder, "", name="unused.toml")
    path = folder / "ha-tinh.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_gives_one_item_per_row(tmp_path):
    path = csv_file(tmp_path, CSV_GOOD)
    sub, items = check(path, unit="ha-tinh", period="2026-11")
    assert sub.source == path
    assert [c.raw.where for c in items] == ["row 2", "row 4"]  # the blank row 3 is skipped
    article, video = (c.item for c in items)
    assert article.body == "Đoạn một.\n\nĐoạn hai."
    assert article.hashtags == ["ChiBộ", "HàTĩnh"]
    assert [m.role.value for m in video.media] == ["video", "cover"]
    assert {(i.unit, i.period) for i in (article, video)} == {("ha-tinh", "2026-11")}


def test_every_problem_in_a_csv_is_listed_by_row_and_column(tmp_path):
    path = csv_file(
        tmp_path,
        "kind,title,unit,video,audio,colour\n"
        "article,Bài A,ha-tinh,,,đỏ\n"
        "video,Video B,nghe-an,media/anh.png,,\n"
        "podcast,,ha-tinh,,,\n"
        "article,Bài C,ha-tinh,,,,extra\n",
    )
    assert problems(path, unit="ha-tinh") == [
        "column 'colour': unknown; allowed: audio, body, cover, hashtags, image, kind, "
        "language, link, period, summary, title, unit, video",
        "row 5: more cells than columns; check the commas",
        "row 3, video: anh.png is image/png, not video; is it in the right column or role?",
        "row 3, unit: 'nghe-an' differs from the submission's unit 'ha-tinh'; use one",
        "row 4, title: is required; give the item a title",
        "row 4, audio: a podcast needs an audio file; add one",
    ]


def test_a_csv_without_its_key_columns_names_them(tmp_path):
    path = csv_file(tmp_path, "kind,summary\narticle,x\n")
    assert problems(path, unit="ha-tinh") == [
        "columns title: missing; add them to the first row",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kind;title\narticle;A\n", "columns are separated by ';'; save it with commas"),
        ("kind,title\narticle,Bài\n".encode("utf-16"), "not UTF-8 text; save it as 'CSV UTF-8'"),
        (b"", "empty; the first row names the columns"),
    ],
)
def test_an_unreadable_csv_is_one_line(tmp_path, data, message):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(UserError) as caught:
        check(path, unit="ha-tinh")
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_folder_needs_exactly_one_manifest(tmp_path):
    with pytest.raises(UserError, match=r"no submission\.toml or submission\.yaml in this folder"):
        check(tmp_path)
    (tmp_path / "submission.toml").write_text("", encoding="utf-8")
    (tmp_path / "submission.yaml").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match=r"both submission\.toml and submission\.yaml"):
        check(tmp_path)


def test_the_hash_ignores_unicode_form_and_file_names_but_not_bytes_or_month(tmp_path):
    def hash_of(folder: Path, title: str, media: bytes, period: str = "2026-11") -> str:
        folder.mkdir()
        stub(folder, f"{folder.name}.png", media)
        (folder / "submission.toml").write_text(
            f'unit = "nghe-an"\nperiod = "{period}"\n[[items]]\nkind = "article"\n'
            f'title = "{title}"\nmedia = {{ image = "{folder.name}.png" }}\n',
            encoding="utf-8",
        )
        return check(folder)[1][0].content_hash

    title = "Nghệ An: đổi mới sinh hoạt chi bộ"
    first = hash_of(tmp_path / "a", title, b"anh")
    assert hash_of(tmp_path / "b", unicodedata.normalize("NFD", title), b"anh") == first
    assert hash_of(tmp_path / "c", title, b"anh khac") != first
    assert hash_of(tmp_path / "d", title, b"anh", period="2026-12") != first


def test_an_item_file_reports_every_problem_at_once(tmp_path):
    with pytest.raises(Problems) as caught:
        item_from_mapping(
            {"kind": "video", "title": "", "link": "ftp://x", "period": "11/2026"},
            source="item.toml",
            base=tmp_path,
        )
    assert caught.value.problems == [
        "item.toml: title: is required; give the item a title",
        "item.toml: link: 'ftp://x' must be a full http:// or https:// address",
        "item.toml: period: month '11/2026' must be YYYY-MM, such as 2026-11",
        "item.toml: media.video: a video needs a video file; add one",
    ]
