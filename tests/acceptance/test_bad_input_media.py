"""Bad media and bad manifests through the real CLI (`import`, `content add`): one clear line
naming the file or key, a non-zero exit, and nothing changed in the database or the media
store; and what is accepted is a copy in the store, which later changes to the source do not
reach."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

import pytest

from crosspost.render.ffmpeg import run_ffmpeg
from tests.acceptance.cli import run, run_json
from tests.support.samples import every_row, sample_intake

pytestmark = pytest.mark.acceptance

UNIT = "nghe-an"
# Above YouTube's 256 GiB, the largest any platform takes; a sparse file costs no disk.
HUGE = 300 * 1024**3


@functools.cache
def _made() -> Path:
    """A real video, JPEG and PNG, made once per run with the ffmpeg imageio-ffmpeg ships."""
    folder = Path(tempfile.mkdtemp(prefix="crosspost-media-"))
    video, jpeg, png = folder / "phim.mp4", folder / "anh.jpg", folder / "bia.png"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc=s=64x48:d=1", "-pix_fmt", "yuv420p", str(video)])
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1", str(jpeg)])
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=blue:s=64x48", "-frames:v", "1", str(png)])
    return folder


@functools.cache
def vast_png() -> Path:
    """9000×9000 of one colour: a few hundred KiB that would decode to 240 MB."""
    path = _made() / "vast.png"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=9000x9000", "-frames:v", "1", str(path)])
    return path


def media(name: str) -> Path:
    return _made() / name


@pytest.fixture
def config_file(tmp_path, db):
    path = tmp_path / "crosspost.toml"
    (tmp_path / "data").mkdir(exist_ok=True)  # data_dir must exist (db upgrade creates it)
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    sample_intake(tmp_path)  # units.toml beside the config
    return path


def store_files(tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "data" / "media"
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_refused(db, tmp_path, config_file, args, expected):
    """Exit 2, the one line naming the problem, no traceback, and the database and the media
    store as they were."""
    rows, files = every_row(db), store_files(tmp_path)
    result = run(config_file, *args, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], result.stderr
    assert every_row(db) == rows
    assert store_files(tmp_path) == files


def submission(tmp_path: Path, item: str, *, unit: str = UNIT) -> Path:
    """A unit's folder with one item (TOML lines) and the sample files beside it."""
    folder = tmp_path / "gui"
    (folder / "media").mkdir(parents=True, exist_ok=True)
    for name in ("phim.mp4", "anh.jpg", "bia.png"):
        shutil.copyfile(media(name), folder / "media" / name)
    (folder / "submission.toml").write_text(
        f'unit = "{unit}"\nperiod = "2026-11"\n\n[[items]]\n{item}\n', encoding="utf-8"
    )
    return folder


def video_item(video: str, *, extra: str = "") -> str:
    return f'kind = "video"\ntitle = "Phóng sự"\nmedia = {{ video = "{video}" }}\n{extra}'


def outside_file(tmp_path: Path) -> Path:
    """A real JPEG beside the submission folder, not in it."""
    (tmp_path / "media").mkdir(exist_ok=True)
    target = tmp_path / "media" / "anh.jpg"
    shutil.copyfile(media("anh.jpg"), target)
    return target


def write_text_as(folder: Path, name: str, data: bytes) -> None:
    (folder / "media" / name).write_bytes(data)


IMPORT_CASES = {
    "parent of parent": (
        video_item("../../etc/passwd"),
        None,
        "items[1].media.video: '../../etc/passwd' is outside the submission folder",
    ),
    "absolute": (
        video_item("/etc/hostname"),
        None,
        "'/etc/hostname' is outside the submission folder",
    ),
    "sibling folder": (
        'kind = "article"\ntitle = "Bài"\nmedia = { image = "../media/anh.jpg" }',
        "outside",
        "items[1].media.image: '../media/anh.jpg' is outside the submission folder",
    ),
    "symlink out": (
        'kind = "article"\ntitle = "Bài"\nmedia = { image = "media/lien-ket.jpg" }',
        "symlink",
        "'media/lien-ket.jpg' is outside the submission folder",
    ),
    "text named mp4": (
        video_item("media/sai.mp4"),
        "text",
        "items[1].media.video: sai.mp4 is text, not a video",
    ),
    "jpeg named mp4": (
        video_item("media/anh-gia.mp4"),
        "jpeg",
        "anh-gia.mp4 is an image (image/jpeg), not a video",
    ),
    "png named m4a": (
        'kind = "podcast"\ntitle = "Podcast"\nmedia = { audio = "media/am.m4a" }',
        "png-m4a",
        "am.m4a is an image (image/png), not audio",
    ),
    "video named jpg": (
        'kind = "article"\ntitle = "Bài"\nmedia = { cover = "media/bia.jpg" }',
        "mp4-jpg",
        "bia.jpg is a video (h264), not an image",
    ),
    "video as audio by name": (
        'kind = "podcast"\ntitle = "Podcast"\nmedia = { audio = "media/phim.mp4" }',
        None,
        "phim.mp4 is video/mp4, not audio",
    ),
    "two videos": (
        'kind = "video"\ntitle = "Phóng sự"\n'
        'media = ["video=media/phim.mp4", "video=media/phim.mp4"]',
        None,
        "items[1].media.video: 2 files given; an item takes one video",
    ),
    "too big": (video_item("media/lon.mp4"), "huge", "lon.mp4: no platform takes it"),
    "a concat list named mp4": (
        video_item("media/danh-sach.mp4"),
        "concat",
        "danh-sach.mp4 is a playlist (concat) that names other files, not a video",
    ),
    "png cut short": (
        'kind = "article"\ntitle = "Bài"\nmedia = { image = "media/cut.png" }',
        "cut",
        "items[1].media.image: cut.png is a damaged image (image/png) that cannot be decoded; "
        "send the image again, whole and at most 8192×8192",
    ),
    "png too vast to decode": (
        'kind = "article"\ntitle = "Bài"\nmedia = { image = "media/vast.png" }',
        "vast",
        "vast.png is an image of 9000×9000 pixels, too large to take",
    ),
    "title a number": (
        'kind = "article"\ntitle = 5',
        None,
        "items[1].title: 5 is a number; write it as text in quotes",
    ),
    "hashtags not a list": (
        'kind = "article"\ntitle = "Bài"\nhashtags = "notalist"',
        None,
        'items[1].hashtags: "notalist" is text; write a list of text',
    ),
    "hashtag a number": (
        'kind = "article"\ntitle = "Bài"\nhashtags = ["a", 5]',
        None,
        'items[1].hashtags: ["a", 5] is a list; write a list of text',
    ),
    "link a table": (
        'kind = "article"\ntitle = "Bài"\nlink = { url = "x" }',
        None,
        'items[1].link: { url = "x" } is a table; write it as text in quotes',
    ),
    "period a date": (
        'kind = "article"\ntitle = "Bài"\nperiod = 2026-11-01',
        None,
        "items[1].period: 2026-11-01 is a date or time",
    ),
}


@pytest.mark.parametrize("case", list(IMPORT_CASES))
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_import_refuses(db, tmp_path, config_file, case, dry_run):
    item, setup, expected = IMPORT_CASES[case]
    folder = submission(tmp_path, item)
    if setup == "outside":
        outside_file(tmp_path)
    elif setup == "symlink":
        (folder / "media" / "lien-ket.jpg").symlink_to(outside_file(tmp_path))
    elif setup == "text":
        write_text_as(folder, "sai.mp4", b"hello\n")
    elif setup == "jpeg":
        shutil.copyfile(media("anh.jpg"), folder / "media" / "anh-gia.mp4")
    elif setup == "png-m4a":
        shutil.copyfile(media("bia.png"), folder / "media" / "am.m4a")
    elif setup == "mp4-jpg":
        shutil.copyfile(media("phim.mp4"), folder / "media" / "bia.jpg")
    elif setup == "concat":  # ffmpeg would read the file it names: a video that was not sent
        shutil.copyfile(media("phim.mp4"), folder / "media" / "khac.mp4")
        listing = "ffconcat version 1.0\nfile 'khac.mp4'\n"
        (folder / "media" / "danh-sach.mp4").write_text(listing)
    elif setup == "cut":
        whole = media("bia.png").read_bytes()
        (folder / "media" / "cut.png").write_bytes(whole[: len(whole) * 2 // 3])
    elif setup == "vast":
        shutil.copyfile(vast_png(), folder / "media" / "vast.png")
    elif setup == "huge":
        with (folder / "media" / "lon.mp4").open("wb") as handle:
            handle.truncate(HUGE)
    args = ["import", str(folder), *(["--dry-run"] if dry_run else [])]
    assert_refused(db, tmp_path, config_file, args, expected)


def test_import_refuses_an_unknown_unit(db, tmp_path, config_file):
    folder = submission(tmp_path, 'kind = "article"\ntitle = "Bài"', unit="khong-co")
    assert_refused(
        db, tmp_path, config_file, ["import", str(folder)], "unit: unknown unit 'khong-co'"
    )


def test_a_csv_row_reaching_outside(db, tmp_path, config_file):
    folder = tmp_path / "bang"
    folder.mkdir()
    outside_file(tmp_path)
    (folder / "thang-11.csv").write_text(
        "unit,period,kind,title,image\nnghe-an,2026-11,article,Bài,../media/anh.jpg\n",
        encoding="utf-8",
    )
    assert_refused(
        db,
        tmp_path,
        config_file,
        ["import", str(folder / "thang-11.csv")],
        "row 2, image: '../media/anh.jpg' is outside the submission folder",
    )


def test_a_csv_takes_hashtags_as_one_cell(db, tmp_path, config_file):
    folder = tmp_path / "bang"
    folder.mkdir()
    (folder / "thang-11.csv").write_text(
        "unit,period,kind,title,hashtags\nnghe-an,2026-11,article,Bài,XâyDựngĐảng ChiBộ\n",
        encoding="utf-8",
    )
    done = run_json(config_file, "import", str(folder / "thang-11.csv"))
    content = run_json(config_file, "content", "show", str(done["items"][0]["content_id"]))
    assert content["hashtags"] == ["#XâyDựngĐảng", "#ChiBộ"]


def add(*media_args: str, unit: str | None = None) -> list[str]:
    args = ["content", "add", "--kind", "video", "--title", "Phóng sự"]
    args += [f"--media={m}" for m in media_args]
    return args + (["--unit", unit] if unit else [])


def test_content_add_refuses(db, tmp_path, config_file):
    """Each case in turn on one database: nothing is ever added, nothing copied."""
    text = tmp_path / "sai.mp4"
    text.write_bytes(b"hello\n")
    jpeg = tmp_path / "anh-gia.mp4"
    shutil.copyfile(media("anh.jpg"), jpeg)
    huge = tmp_path / "lon.mp4"
    with huge.open("wb") as handle:
        handle.truncate(HUGE)
    video = media("phim.mp4")
    cases = [
        (add("video=/etc/passwd"), "media.video: passwd is text, not a video"),
        (add(f"video={text}"), "media.video: sai.mp4 is text, not a video"),
        (add(f"video={jpeg}"), "anh-gia.mp4 is an image (image/jpeg), not a video"),
        (add(f"video={video}", f"video={video}"), "media.video: 2 files given"),
        (add(f"video={huge}"), "lon.mp4: no platform takes it"),
        (add(f"video={video}", unit="NoSuchUnit"), "unit: unknown unit 'NoSuchUnit'"),
    ]
    for args, expected in cases:
        assert_refused(db, tmp_path, config_file, args, expected)


def test_a_low_configured_limit_refuses_at_content_add(db, tmp_path):
    config = tmp_path / "crosspost.toml"
    accounts = "".join(
        f'[accounts.{p}]\nplatform = "{p}"\nvideo_max_bytes = 1000\n{extra}'
        for p, extra in [("facebook", 'page_id = "1234567890"\n'), ("youtube", ""), ("x", "")]
    )
    (tmp_path / "data").mkdir(exist_ok=True)
    config.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n\n{accounts}',
        encoding="utf-8",
    )
    assert_refused(
        db,
        tmp_path,
        config,
        add(f"video={media('phim.mp4')}"),
        "phim.mp4: no platform takes it: facebook: video is",
    )


def test_what_is_stored_is_a_copy(db, tmp_path, config_file):
    """Import and content add keep a copy in data_dir/media with the type its bytes show; a
    later change to the source changes nothing stored."""
    folder = submission(
        tmp_path,
        'kind = "video"\ntitle = "Phóng sự"\n'
        'media = { video = "media/phim.mp4", cover = "media/bia-that.jpg" }',
    )
    shutil.copyfile(media("bia.png"), folder / "media" / "bia-that.jpg")  # a PNG by its bytes
    done = run_json(config_file, "import", str(folder))
    content = run_json(config_file, "content", "show", str(done["items"][0]["content_id"]))
    store = tmp_path / "data" / "media"
    by_role = {m["role"]: m for m in content["media"]}
    for m in by_role.values():
        assert Path(m["path"]).parent.parent == store
    assert by_role["cover"]["mime_type"] == "image/png"
    assert by_role["video"]["mime_type"] == "video/mp4"
    copy = Path(by_role["video"]["path"])
    original = copy.read_bytes()
    (folder / "media" / "phim.mp4").write_bytes(b"changed after the import")
    assert copy.read_bytes() == original

    added = run_json(config_file, *add(f"video={media('phim.mp4')}", unit=UNIT))
    assert [m["path"] for m in added["media"]] == [str(copy)]  # the same bytes, kept once
