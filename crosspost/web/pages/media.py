"""A content item's media file, for the approval queue's previews (image, video and audio
players): served only from the media store, only to someone who may see the item, with the
type judged at intake and never sniffed, and with byte ranges so a video can be scrubbed."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, Response

from crosspost.errors import NotFoundError
from crosspost.web.page import Page

PLAYABLE = ("image/", "video/", "audio/")


def file(page: Page) -> Response:
    from crosspost.db.models import MediaFileRow
    from crosspost.media_store import MediaStore

    media_id = page.int_param("media_id")
    with page.state.factory() as session:
        row = session.get(MediaFileRow, media_id)
        unit = row.content.unit if row is not None else None
        path, mime = (row.path, row.mime_type) if row is not None else ("", None)
    if row is None or page.viewer is None or not page.viewer.sees_unit(unit):
        raise NotFoundError(page.t("error.not_found"))  # another unit's file does not exist
    store = MediaStore.from_config(page.config).root.resolve()
    found = Path(path).resolve()
    if not found.is_relative_to(store) or not found.is_file():
        raise NotFoundError(page.t("error.not_found"))  # a path outside the store is never read
    playable = mime is not None and mime.startswith(PLAYABLE)
    return FileResponse(
        found,
        media_type=mime if playable else "application/octet-stream",
        content_disposition_type="inline" if playable else "attachment",
        filename=found.name,
    )
