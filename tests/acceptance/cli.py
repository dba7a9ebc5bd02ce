"""Running the real `crosspost` command in a subprocess, as an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def cli_env(config: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CROSSPOST_CONFIG"] = str(config)
    env["PYTHONPATH"] = str(ROOT)  # so config can name tests.support adapters
    env["COLUMNS"] = "200"
    env.update(extra)
    return env


def run(
    config: Path, *args: str, check: bool = True, **extra: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "crosspost", *args],
        env=cli_env(config, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"crosspost {' '.join(args)} exited {result.returncode}\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def run_json(config: Path, *args: str) -> Any:
    return json.loads(run(config, *args, "--json").stdout)


def start(config: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crosspost", *args],
        env=cli_env(config, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
