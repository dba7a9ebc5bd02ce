"""The benchmark must not rot: its smallest run of one cheap row (claim cost with tiny tables,
on SQLite) goes through bench/run.py as `make bench` does and prints the table. Figures are
never asserted: only that the row ran and the table came out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_runs_its_smallest_claim_cost_row() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--only",
            "claims",
            "--databases",
            "sqlite",
            "--claim-sizes",
            "200,2000",
            "--claims",
            "10",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "crosspost benchmark" in done.stdout
    assert "5 claim cost" in done.stdout
    assert "plan at 2,000" in done.stdout  # the query plan was read and summarised
