"""The units' portal over real HTTP on a real database: a contributor lands there, sees its own
unit's quota, items and links and nothing of another unit's; uploads (one item from the form,
a submission zip or CSV) go through the import's checks, every problem listed and nothing
stored when there is one."""

from __future__ import annotations

import html
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import tomli_w
from sqlalchemy import select

from crosspost import content as lifecycle
from crosspost.config import UploadSettings
from crosspost.db.models import Content
from crosspost.intake.importing import this_month
from crosspost.users import Role, add_user, set_password
from tests.support.samples import copy_samples, every_row
from tests.support.web import PASSWORD, World, build_world, cheap_hasher, csrf_of, sign_in


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """The sample submission's real media (made by ffmpeg once)."""
    return copy_samples(tmp_path_factory.mktemp("samples")) / "nghe-an-2026-11" / "media"


def _portal(world: World):
    client = world.client(Role.CONTRIBUTOR)
    page = client.get("/portal")
    assert page.status_code == 200, page.text
    return client, page


def _stored_files(world: World) -> list[Path]:
    root = world.config.data_dir
    return sorted(p for p in root.rglob("*") if p.is_file() and "media" in p.parts)


def _staging_left(world: World) -> list[Path]:
    uploads = world.config.data_dir / "uploads"
    return list(uploads.iterdir()) if uploads.exists() else []


def _text(response) -> str:
    return html.unescape(response.text)


def _item(world: World, client, fields: dict[str, str], media: tuple[str, bytes] | None = None):
    page = client.get("/portal").text
    files = {"media": (media[0], media[1], "application/octet-stream")} if media else None
    return client.post(
        "/portal/item",
        data={**fields, "csrf": csrf_of(page)},
        files=files,
        follow_redirects=False,
    )


def _submission(world: World, client, name: str, data: bytes):
    page = client.get("/portal").text
    return client.post(
        "/portal/submission",
        data={"csrf": csrf_of(page)},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _zip(entries: dict[str, bytes], *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _manifest(items: list[dict[str, object]], **top: str) -> bytes:
    return tomli_w.dumps({**top, "items": items}).encode()


ARTICLE = {
    "kind": "article",
    "title": "Hà Nội: sinh hoạt chi bộ theo chuyên đề",
    "summary": "Các chi bộ chọn một việc cụ thể của khu dân cư làm chủ đề sinh hoạt.",
    "link": "https://tapchi.example.vn/xay-dung-dang/ha-noi-sinh-hoat-chuyen-de",
}


def test_a_contributor_lands_on_its_portal_and_staff_on_today(world):
    client = world.client()
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login",
        data={"name": "contributor1", "password": PASSWORD, "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/portal"
    staff = world.client()
    sign_in(staff, "editor1", PASSWORD)
    assert staff.get("/login", follow_redirects=False).headers["location"] == "/"
    assert client.get("/login", follow_redirects=False).headers["location"] == "/portal"


def test_the_portal_shows_the_units_quota_items_and_nothing_of_another_unit(world):
    with world.db.factory.begin() as session:  # a draft of each unit: only its own shows
        for unit in ("ha-noi", "da-nang"):
            lifecycle.add_content(
                session,
                lifecycle.NewContent(
                    kind=lifecycle.ContentKind.ARTICLE, title=f"Bản nháp {unit}", unit=unit
                ),
                "tester",
                store=None,
            )
    _client, page = _portal(world)
    text = _text(page)
    assert "Thành ủy Hà Nội" in text and f"Chỉ tiêu tháng {this_month(world.config.timezone)}"
    assert "Bài chờ duyệt ha-noi" in text and "Bài đã duyệt ha-noi" in text
    assert "Bản nháp ha-noi" in text
    assert "da-nang" not in text and "Đà Nẵng" not in text
    # The quota of units.toml's defaults, nothing received yet this month: all of it missing.
    assert '<tr id="quota-article"><td>article</td><td>3</td><td>0</td>' in page.text
    assert "article: còn thiếu 3" in text and "video: còn thiếu 2" in text
    assert "podcast: còn thiếu 1" in text
    # The unit's scheduled post links to its page; the other unit's post is not there.
    assert f'href="/posts/{world.posts["ha-noi"]}"' in page.text
    assert f'href="/posts/{world.posts["da-nang"]}"' not in page.text
    for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER):
        assert world.client(role).get("/portal").status_code == 403


def test_an_item_from_the_form_is_imported_and_counted(world, media):
    client, _ = _portal(world)
    image = (media / "bai-1-anh.png").read_bytes()
    done = _item(
        world, client, {**ARTICLE, "hashtags": "XâyDựngĐảng ChiBộ"}, ("../../x.png", image)
    )
    assert done.status_code == 303, _text(done)
    assert done.headers["location"] == "/portal?stored=1&already=0"
    with world.db.factory() as session:
        stored = session.scalars(select(Content).where(Content.title == ARTICLE["title"])).one()
        assert (stored.unit, stored.review_state) == ("ha-noi", "submitted")
        assert stored.period == this_month(world.config.timezone)
        assert stored.created_by == "contributor1" and stored.hashtags == ["#XâyDựngĐảng", "#ChiBộ"]
        (file,) = stored.media
        assert Path(file.path).is_relative_to(world.config.data_dir / "media")
        assert Path(file.path).name.startswith(file.sha256) and file.mime_type == "image/png"
    assert not (world.config.data_dir.parent / "x.png").exists()
    assert _staging_left(world) == []
    page = client.get(done.headers["location"])
    assert "Đã nhận: 1 bài mới, 0 bài đã có từ trước." in _text(page)
    assert '<tr id="quota-article"><td>article</td><td>3</td><td>1</td>' in page.text
    again = _item(world, client, {**ARTICLE, "hashtags": "XâyDựngĐảng ChiBộ"}, ("a.png", image))
    assert again.headers["location"] == "/portal?stored=0&already=1"  # not stored twice


def test_a_bad_item_lists_every_problem_and_stores_nothing(world):
    client, _ = _portal(world)
    before, files = every_row(world.db), _stored_files(world)
    fake = b"this is a note, not a film\n" * 20
    done = _item(
        world,
        client,
        {"kind": "video", "title": "", "link": "tapchi.example.vn/bai"},
        ("phong-su.mp4", fake),
    )
    assert done.status_code == 400
    text = _text(done)
    assert "Chưa lưu gì; hãy sửa các vấn đề sau rồi gửi lại:" in text
    assert "title: is required; give the item a title" in text
    assert "link: 'tapchi.example.vn/bai' must be a full http:// or https:// address" in text
    assert str(world.config.data_dir) not in text  # the server's paths stay on the server
    assert 'value="tapchi.example.vn/bai"' in done.text  # the form comes back filled in
    # The text fixed, the file is judged by its bytes (as `crosspost import` judges it).
    fixed = {**ARTICLE, "kind": "video", "title": "Phóng sự: bí thư chi bộ"}
    again = _item(world, client, fixed, ("phong-su.mp4", fake))
    assert again.status_code == 400
    assert "media.video: phong-su.mp4 is text, not a video" in _text(again)
    assert str(world.config.data_dir) not in _text(again)
    assert every_row(world.db) == before and _stored_files(world) == files
    assert _staging_left(world) == []


def test_a_submission_zip_is_imported_whole(world, media):
    client, _ = _portal(world)
    items = [
        {**ARTICLE, "media": {"image": "media/anh-1.png"}},
        {
            "kind": "podcast",
            "title": "Podcast: nêu gương người đứng đầu",
            "summary": "Câu chuyện nêu gương ở chi bộ.",
            "link": "https://tapchi.example.vn/podcast/neu-guong",
            "media": {"audio": "media/neu-guong.m4a"},
        },
    ]
    archive = _zip(
        {
            "thang-12/submission.toml": _manifest(items, unit="ha-noi"),
            "thang-12/media/anh-1.png": (media / "bai-1-anh.png").read_bytes(),
            "thang-12/media/neu-guong.m4a": (media / "podcast-neu-guong.m4a").read_bytes(),
        }
    )
    done = _submission(world, client, "ha-noi.zip", archive)
    assert done.status_code == 303, _text(done)
    assert done.headers["location"] == "/portal?stored=2&already=0"
    page = _text(client.get("/portal"))
    assert "Podcast: nêu gương người đứng đầu" in page and "podcast: còn thiếu" not in page
    assert _staging_left(world) == []


def test_a_zip_with_one_bad_file_names_it_and_stores_nothing(world, media):
    client, _ = _portal(world)
    before, files = every_row(world.db), _stored_files(world)
    items = [
        {**ARTICLE, "media": {"image": "media/anh-1.png"}},
        {**ARTICLE, "title": "Bài thứ hai", "media": {"image": "media/anh-2.png"}},
    ]
    archive = _zip(
        {
            "submission.toml": _manifest(items),
            "media/anh-1.png": (media / "bai-1-anh.png").read_bytes(),
            "media/anh-2.png": b"not a picture at all",
        }
    )
    done = _submission(world, client, "ha-noi.zip", archive)
    assert done.status_code == 400
    text = _text(done)
    assert "items[2].media.image: anh-2.png is text, not an image" in text
    assert "items[1]" not in text
    assert every_row(world.db) == before and _stored_files(world) == files


def test_a_submission_for_another_unit_is_refused(world):
    client, _ = _portal(world)
    before = every_row(world.db)
    archive = _zip({"submission.toml": _manifest([ARTICLE], unit="da-nang")})
    done = _submission(world, client, "da-nang.zip", archive)
    assert done.status_code == 400
    assert "the manifest says 'da-nang' but --unit says 'ha-noi'" in _text(done)
    assert every_row(world.db) == before


def test_one_units_upload_never_shows_on_another_units_portal(world):
    with world.db.factory.begin() as session:
        add_user(
            session,
            "da-nang-1",
            "contributor",
            unit="da-nang",
            actor="tester",
            unit_codes=["ha-noi", "da-nang"],
        )
        set_password(session, "da-nang-1", PASSWORD, actor="tester")
    other = world.client()
    sign_in(other, "da-nang-1", PASSWORD)
    sent = _item(world, other, {**ARTICLE, "title": "Đà Nẵng: bài gửi qua cổng"})
    assert sent.headers["location"] == "/portal?stored=1&already=0", _text(sent)
    assert "Đà Nẵng: bài gửi qua cổng" in _text(other.get("/portal"))
    assert "Bài chờ duyệt ha-noi" not in _text(other.get("/portal"))
    _client, page = _portal(world)
    assert "Đà Nẵng: bài gửi qua cổng" not in _text(page) and "da-nang" not in page.text
    with world.db.factory() as session:
        stored = session.scalars(
            select(Content).where(Content.title == "Đà Nẵng: bài gửi qua cổng")
        ).one()
        assert (stored.unit, stored.created_by) == ("da-nang", "da-nang-1")


def test_a_csv_naming_a_file_outside_the_upload_is_refused(world):
    client, _ = _portal(world)
    before = every_row(world.db)
    csv_text = (
        "kind,title,summary,link,image\n"
        f"article,{ARTICLE['title']},{ARTICLE['summary']},{ARTICLE['link']},/etc/hostname\n"
    )
    done = _submission(world, client, "bai.csv", csv_text.encode())
    assert done.status_code == 400
    assert "row 2, image: '/etc/hostname' is outside the submission folder" in _text(done)
    assert every_row(world.db) == before


def test_a_csv_is_imported_and_a_file_of_neither_kind_refused(world):
    client, _ = _portal(world)
    csv_text = (
        "kind,title,summary,link\n"
        f"article,{ARTICLE['title']},{ARTICLE['summary']},{ARTICLE['link']}\n"
    )
    done = _submission(world, client, "bai.csv", csv_text.encode())
    assert done.headers["location"] == "/portal?stored=1&already=0", _text(done)
    before = every_row(world.db)
    refused = _submission(world, client, "bai.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert refused.status_code == 400
    assert "bai.csv: neither a zip of the submission folder nor a CSV file" in _text(refused)
    assert every_row(world.db) == before


def _symlink_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("submission.toml", _manifest([ARTICLE]))
        link = zipfile.ZipInfo("media/anh.png")
        link.external_attr = (0o120777 << 16) | 0x20  # a symlink, as `zip --symlinks` writes it
        archive.writestr(link, "/etc/passwd")
    return out.getvalue()


ATTACKS = {
    "dot-dot": (
        lambda: _zip({"submission.toml": _manifest([ARTICLE]), "../../evil.txt": b"x"}),
        "'../../evil.txt': leads outside the submission folder; refused",
    ),
    "absolute": (
        lambda: _zip({"submission.toml": _manifest([ARTICLE]), "/tmp/evil.txt": b"x"}),
        "'/tmp/evil.txt': leads outside the submission folder; refused",
    ),
    "symlink": (_symlink_zip, "'media/anh.png': a symbolic link; put the file itself in the zip"),
    "bomb": (
        lambda: _zip({"submission.toml": _manifest([ARTICLE]), "zeros.bin": b"\0" * 30_000_000}),
        "'zeros.bin': unpacks to",
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_hostile_zip_is_refused_in_one_line_and_writes_nothing(world, attack):
    make, line = ATTACKS[attack]
    client, _ = _portal(world)
    before, files = every_row(world.db), _stored_files(world)
    done = _submission(world, client, "x.zip", make())
    assert done.status_code == 400
    text = _text(done)
    assert line in text
    problems = [p for p in text.split('<li class="problem">')[1:]]
    assert len(problems) == 1, problems
    assert every_row(world.db) == before and _stored_files(world) == files
    assert not list(world.config.data_dir.parent.rglob("evil.txt"))
    assert not Path("/tmp/evil.txt").exists()
    assert _staging_left(world) == []


def test_the_caps_of_uploads_are_kept(world, media):
    world.config = replace(
        world.config,
        uploads=UploadSettings(
            max_file_bytes=20_000,
            max_request_bytes=60_000,
            max_zip_entries=3,
            max_unpacked_bytes=50_000,
            max_zip_ratio=100,
        ),
    )
    client, _ = _portal(world)
    before = every_row(world.db)
    big = _item(world, client, ARTICLE, ("anh.png", b"\x89PNG" + b"\x01" * 30_000))
    assert big.status_code == 400
    assert "anh.png: more than 20000 bytes, the cap per file" in _text(big)
    many = {f"media/{n}.txt": b"x" for n in range(4)}
    crowded = _submission(world, client, "x.zip", _zip({"submission.toml": b"", **many}))
    assert "5 entries, past the cap of 3; send fewer" in _text(crowded)
    total = _zip({"a.bin": b"\1" * 19_000, "b.bin": b"\2" * 19_000, "c.bin": b"\3" * 19_000})
    heavy = _submission(world, client, "x.zip", total)
    assert "unpacks to 57000 bytes, past the cap of 50000; send less" in _text(heavy)
    page = client.get("/portal").text
    huge = client.post(
        "/portal/submission",
        data={"csrf": csrf_of(page)},
        files={"file": ("x.zip", b"\0" * 70_000, "application/zip")},
    )
    assert huge.status_code == 413  # past max_request_bytes: refused unread
    assert every_row(world.db) == before and _staging_left(world) == []
