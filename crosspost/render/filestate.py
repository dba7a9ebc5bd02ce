"""Facts about a file computed once per file state: its resolved path, size and modification time.

Rendering runs on every schedule and every publish, so what it learns from reading a file (its
type, its header as ffmpeg reads it, its sha256) is kept by file state: a file that changes
gets a new state, and is read again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class FileState(NamedTuple):
    path: Path  # resolved
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        """`path`'s current state; raises FileNotFoundError (an OSError) when it is gone."""
        stat = path.stat()
        return cls(path.resolve(), stat.st_size, stat.st_mtime_ns)


def by_state(compute: Callable[[Path], T]) -> Callable[[FileState], T]:
    """`compute(path)`, run once per file state and then remembered."""

    @lru_cache(maxsize=512)
    def cached(state: FileState) -> T:
        return compute(state.path)

    return cached
