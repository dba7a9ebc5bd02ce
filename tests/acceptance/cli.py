"""Running the real `crosspost` command in a subprocess, as an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
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


class Running:
    """A `crosspost` process whose output goes to files, not pipes: a chatty worker must never
    block on a full pipe that the test only reads at the end."""

    def __init__(self, args: list[str], env: dict[str, str], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.stdout_path = folder / "stdout.log"
        self.stderr_path = folder / "stderr.log"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.process = subprocess.Popen(
                args, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, text=True, cwd=ROOT
            )

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def send_signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout=timeout)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the end; return what it printed (like Popen.communicate)."""
        self.process.wait(timeout=timeout)
        return self.stdout_path.read_text(), self.stderr_path.read_text()


def start(config: Path, *args: str, **extra: str) -> Running:
    folder = Path(tempfile.mkdtemp(prefix="crosspost-run-", dir=config.parent))
    return Running([sys.executable, "-m", "crosspost", *args], cli_env(config, **extra), folder)


def start_piped(config: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    """For the few tests that read a short output while the process runs (a URL to open)."""
    return subprocess.Popen(
        [sys.executable, "-m", "crosspost", *args],
        env=cli_env(config, **extra),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
