"""A CSV cell a spreadsheet would run as a formula is neutralised (OWASP's CSV injection rule)."""

from __future__ import annotations

import pytest

from crosspost.intake.report import spreadsheet_safe


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Hà Nội", "Hà Nội"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_cells(cell, written):
    assert spreadsheet_safe(cell) == written


def test_numbers_stay_numbers():
    assert spreadsheet_safe(-3) == -3
