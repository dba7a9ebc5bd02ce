"""Files a unit or an editor sends that the readers used to choke on: each is one line naming
the file, the place and the fix, exit 2, and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.test_bad_input import assert_refused
from tests.acceptance.test_bad_input_text import config_file  # noqa: F401 (the fixture)

pytestmark = pytest.mark.acceptance

HEADER = "kind,title,summary,link,unit,period\n"


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


CASES = {
    "a cell past csv's limit": (
        lambda d: [
            "import",
            write(d, "big.csv", f'{HEADER}article,"{"a" * 140_000}",s,,nghe-an,\n'),
        ],
        "big.csv: a cell is longer than 131072 characters (often a quote opened and never closed)",
    ),
    "a quote never closed": (
        lambda d: [
            "import",
            write(
                d,
                "unclosed.csv",
                f'{HEADER}article,"Tin một,s,https://x.vn/a,nghe-an,\n'
                "article,Tin hai,s,https://x.vn/b,nghe-an,\n",
            ),
        ],
        'unclosed.csv: a quote opened on line 2 is never closed; close it ("…") or remove it',
    ),
    "JSON nested beyond reason": (
        lambda d: [
            "content",
            "add",
            "--file",
            write(d, "deep.json", "[" * 100_000 + "]" * 100_000),
        ],
        "deep.json: nested too deeply to be an item; keep one table of fields",
    ),
    "YAML that does not parse": (
        lambda d: [
            "import",
            str(
                Path(
                    write(d, "y/submission.yaml", "unit: nghe-an\nitems:\n  - title: [open\n")
                ).parent
            ),
        ],
        "submission.yaml: not valid YAML at line 4, column 1: expected ',' or ']'",
    ),
    "a language that is not a tag": (
        lambda d: [
            "content",
            "add",
            "--kind",
            "article",
            "--title",
            "Tin",
            "--summary",
            "Tóm tắt",
            "--language",
            "tiếng việt",
        ],
        "language: 'tiếng việt' is not a language tag like vi or en-US",
    ),
}


@pytest.mark.parametrize(("args", "expected"), CASES.values(), ids=CASES)
def test_a_file_the_readers_cannot_take_is_one_line(db, config_file, tmp_path, args, expected):  # noqa: F811
    assert_refused(db, config_file, args(tmp_path / "in"), expected)
