"""docs/platform-facts.md names a contract test for every rule: in the X section, each named
test must exist (a renamed or deleted test would leave a rule unproven without anyone noticing).
A cell's `::name` belongs to the file named last before it in the same row."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "docs" / "platform-facts.md"
NAMED = re.compile(r"`(?:(?:tests/[\w/]+/)?(test_\w+\.py))?(?:::)?(test_\w+)?`")


def section(title: str) -> str:
    text = FACTS.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def named_tests(rows: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for row in rows.splitlines():
        if not row.startswith("|"):
            continue
        current = None
        for match in NAMED.finditer(row.split("|")[-2]):  # the contract-test column
            file, name = match.groups()
            current = file or current
            if name and current:
                found.append((current, name))
    return found


def test_every_contract_test_named_in_the_x_table_exists() -> None:
    named = named_tests(section("X"))
    assert len(named) >= 25  # the table was read, not skipped
    missing = []
    for file, name in named:
        paths = list((ROOT / "tests").rglob(file))
        if len(paths) != 1 or f"def {name}(" not in paths[0].read_text(encoding="utf-8"):
            missing.append(f"{file}::{name}")
    assert missing == []
