"""docs/platform-facts.md names a contract test for every rule: in every section, each row names
at least one test and each named test must exist (a renamed or deleted test would leave a rule
unproven without anyone noticing). A cell's `::name` belongs to the file named last before it in
the same row; a file given with its folder must be that file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "docs" / "platform-facts.md"
NAMED = re.compile(r"`(?:((?:tests/[\w/]+/)?test_\w+\.py))?(?:::)?(test_\w+)?`")
SECTIONS = ("Facebook", "YouTube", "X", "Costs")
FEWEST_ROWS = {"Facebook": 10, "YouTube": 4, "X": 20, "Costs": 5}


def section(title: str) -> str:
    text = FACTS.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def rule_rows(text: str) -> list[str]:
    """The table's rule rows: not its header, not its separator."""
    rows = [r for r in text.splitlines() if r.startswith("|")]
    return [r for r in rows[2:] if not set(r) <= set("|- ")]


def named_tests(row: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    current = None
    for match in NAMED.finditer(row.split("|")[-2]):  # the contract-test column
        file, name = match.groups()
        current = file or current
        if name and current:
            found.append((current, name))
    return found


def named_file(file: str) -> Path | None:
    if "/" in file:
        path = ROOT / file
        return path if path.is_file() else None
    paths = list((ROOT / "tests").rglob(file))
    return paths[0] if len(paths) == 1 else None


@pytest.mark.parametrize("title", SECTIONS)
def test_every_rule_names_a_contract_test_that_exists(title: str) -> None:
    rows = rule_rows(section(title))
    assert len(rows) >= FEWEST_ROWS[title]  # the table was read, not skipped
    untested = [row[:70] for row in rows if not named_tests(row)]
    assert untested == []
    missing = []
    for row in rows:
        for file, name in named_tests(row):
            path = named_file(file)
            if path is None or f"def {name}(" not in path.read_text(encoding="utf-8"):
                missing.append(f"{file}::{name}")
    assert missing == []
