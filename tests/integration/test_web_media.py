"""The approval queue previews each item's media with the browser's own players, served from
the media store only, to those who may see the item, with the type judged at intake (never
sniffed) and byte ranges for scrubbing a video."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from crosspost import content as lifecycle
from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.content import NewContent
from crosspost.db.models import MediaFileRow
from crosspost.media import MediaSpec
from crosspost.media_store import MediaStore
from crosspost.render.ffmpeg import run_ffmpeg
from crosspost.users import Role
from tests.support.web import World, build_world, cheap_hasher


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def submitted_video(world: World, tmp_path: Path) -> tuple[int, int, int]:
    """A ha-noi video in the queue, its files in the store: (content, video, cover) ids."""
    video, cover = tmp_path / "phong-su.mp4", tmp_path / "bia.png"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc=s=64x48:d=1", "-pix_fmt", "yuv420p", str(video)])
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1", str(cover)])
    item = NewContent(
        kind=ContentKind.VIDEO,
        title="Phóng sự: chi bộ khu dân cư",
        summary="Một buổi sinh hoạt chi bộ ở khu dân cư.",
        unit="ha-noi",
        media=[MediaSpec(video, MediaRole.VIDEO), MediaSpec(cover, MediaRole.COVER)],
    )
    store = MediaStore.from_config(world.config)
    with world.db.factory.begin() as session:
        added = lifecycle.add_content(session, item, "tester", store=store)
        lifecycle.submit(session, added.id, "tester")
        ids = {m.role: m.id for m in added.media}
    return added.id, ids["video"], ids["cover"]


def test_the_queue_shows_each_file_with_its_player_and_serves_it(world, tmp_path):
    _, video_id, cover_id = submitted_video(world, tmp_path)
    editor = world.client(Role.EDITOR)
    page = editor.get("/queue").text
    assert f'<video src="/media/{video_id}" controls' in page
    assert f'<img src="/media/{cover_id}"' in page
    cover = editor.get(f"/media/{cover_id}")
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/png"
    assert cover.headers["x-content-type-options"] == "nosniff"
    assert cover.headers["content-disposition"].startswith("inline")
    assert cover.content.startswith(b"\x89PNG")
    part = editor.get(f"/media/{video_id}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    assert part.headers["content-type"] == "video/mp4"


def test_another_units_contributor_and_nobody_never_get_the_file(world, tmp_path):
    _, video_id, _ = submitted_video(world, tmp_path)
    contributor = world.client(Role.CONTRIBUTOR)  # of ha-noi: its own unit's file
    assert contributor.get(f"/media/{video_id}").status_code == 200
    with world.db.factory.begin() as session:  # now the item belongs to another unit
        row = session.get(MediaFileRow, video_id)
        assert row is not None
        row.content.unit = "da-nang"
    assert contributor.get(f"/media/{video_id}").status_code == 404
    anonymous = world.client().get(f"/media/{video_id}", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_a_path_outside_the_media_store_is_never_read(world, tmp_path):
    _, video_id, _ = submitted_video(world, tmp_path)
    secret = tmp_path / "secrets.toml"
    secret.write_text("token = 'x'\n")
    with world.db.factory.begin() as session:
        session.execute(
            update(MediaFileRow).where(MediaFileRow.id == video_id).values(path=str(secret))
        )
    shown = world.client(Role.EDITOR).get(f"/media/{video_id}")
    assert shown.status_code == 404 and "token" not in shown.text
