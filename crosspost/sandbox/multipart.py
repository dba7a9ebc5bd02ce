"""multipart/form-data parsing for the sandbox, on python-multipart's streaming parser."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from crosspost.sandbox.http import MultipartField


def parse_multipart(chunks: Iterable[bytes], boundary: bytes) -> dict[str, MultipartField]:
    from crosspost.sandbox.http import MultipartField

    fields: dict[str, MultipartField] = {}
    header_name = bytearray()
    header_value = bytearray()
    headers: dict[str, bytes] = {}
    data = bytearray()

    def on_part_begin() -> None:
        headers.clear()
        data.clear()

    def on_header_field(buf: bytes, start: int, end: int) -> None:
        header_name.extend(buf[start:end])

    def on_header_value(buf: bytes, start: int, end: int) -> None:
        header_value.extend(buf[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).decode("latin-1").lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_part_data(buf: bytes, start: int, end: int) -> None:
        data.extend(buf[start:end])

    def on_part_end() -> None:
        _, disp = parse_options_header(headers.get("content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8")
        filename = disp.get(b"filename")
        ctype = headers.get("content-type")
        fields[name] = MultipartField(
            name=name,
            data=bytes(data),
            filename=filename.decode("utf-8") if filename else None,
            content_type=ctype.decode("latin-1") if ctype else None,
        )

    parser = MultipartParser(
        boundary,
        callbacks={
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
        },
    )
    for chunk in chunks:
        parser.write(chunk)
    parser.finalize()
    return fields
