"""Without chromium the browser test fails in one line naming the fix, and
CROSSPOST_TEST_BROWSER=skip leaves it out: run in a pytest of its own with no chromium on PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.acceptance.cli import ROOT

pytestmark = pytest.mark.acceptance


def run_browser_test(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CROSSPOST_TEST_BROWSER"}
    env.update(PATH="/nonexistent", PYTHONPATH=str(ROOT), **extra)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rfE",
            "tests/acceptance/test_web_browser.py",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_without_chromium_the_browser_test_fails_in_one_line():
    done = run_browser_test()
    assert done.returncode == 1, done.stdout
    said = [line for line in done.stdout.splitlines() if "chromium not found" in line]
    assert said and said[0].endswith(
        "chromium not found on PATH: apt-get install -y chromium "
        "(or set CROSSPOST_TEST_BROWSER=skip)"
    ), done.stdout
    assert "Traceback" not in done.stdout


def test_without_chromium_it_is_skipped_only_when_asked():
    done = run_browser_test(CROSSPOST_TEST_BROWSER="skip")
    # every browser test of the file skipped, none run or failed
    assert done.returncode == 0, done.stdout
    assert re.search(r"^\d+ skipped in ", done.stdout, re.M), done.stdout
