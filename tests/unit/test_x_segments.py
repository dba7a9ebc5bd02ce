"""X accepts at most 1000 appended segments of at most 5 MiB: the chunk size follows the file."""

from __future__ import annotations

import pytest

from crosspost.adapters.base import PermanentError
from crosspost.adapters.x.upload import MAX_SEGMENTS, MB, segment_size


@pytest.mark.parametrize(
    ("total", "preferred", "expected"),
    [
        (10 * MB, MB, MB),  # small file: the configured size
        (1000 * MB, MB, MB),  # exactly 1000 segments
        (1000 * MB + 1, MB, 2 * MB),  # one byte more: grow to whole MiB
        (1024 * MB, MB, 2 * MB),
        (4096 * MB, 2 * MB, 5 * MB),
        (1024 * MB, 4 * MB, 4 * MB),  # a larger configured size stays
    ],
)
def test_segment_size(total, preferred, expected):
    size = segment_size(total, preferred)
    assert size == expected
    assert -(-total // size) <= MAX_SEGMENTS


def test_a_file_too_large_for_any_segment_size_is_refused_before_uploading():
    with pytest.raises(PermanentError, match="at most 1000 segments of 5 MiB"):
        segment_size(5000 * MB + 1, MB)
