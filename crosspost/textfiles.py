"""Reading a text file someone named (a config, units.toml): every way it can fail is one line
that names the file and the fix, never an unexpected error; a path too long to read is cut."""

from __future__ import annotations

from pathlib import Path

from crosspost.errors import ConfigError

LONGEST_SHOWN = 160


def shown_path(path: Path | str) -> str:
    """The path as a message shows it: whole, or its start and end when it is very long."""
    text = str(path)
    if len(text) <= LONGEST_SHOWN:
        return text
    return f"{text[:70]}…{text[-70:]} ({len(text)} characters)"


def read_text(path: Path, *, missing: str) -> str:
    """The file's text as UTF-8, or ConfigError: `missing` when it does not exist."""
    where = shown_path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: {missing}") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a folder, not a file; name the file inside it") from None
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1].hex()
        raise ConfigError(
            f"{where}: not UTF-8 (byte 0x{bad} at offset {exc.start}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{where}: cannot be read ({reason}); check the path") from None
