"""The secrets file as rotating OAuth 2.0 tokens use it: every read-modify-write under its lock
survives writers in other processes and threads (no update lost), and a reader never sees a
half-written file (each write replaces it whole)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from crosspost.credentials import SecretsFileStore, read_secrets_file, store_secrets

ROUNDS = 40


def bump(path: Path, account: str, rounds: int) -> None:
    """`rounds` increments of a counter, each a read and a write under the store's lock (what
    a token refresh does: read the pair in force, write its successor)."""
    store = SecretsFileStore(path, account)
    for _ in range(rounds):
        with store.locked():
            count = int(store.read().get("counter", "0"))
            store.write({"counter": str(count + 1), "refresh_token": f"rt-{count + 1}"})


def test_writers_in_two_processes_and_two_threads_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    store_secrets(path, "x", {"counter": "0", "client_id": "cid"})
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=bump, args=(path, "x", ROUNDS)) for _ in range(2)]
    threads = [threading.Thread(target=bump, args=(path, "x", ROUNDS)) for _ in range(2)]
    for worker in (*processes, *threads):
        worker.start()
    for thread in threads:
        thread.join(timeout=60)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    stored = read_secrets_file(path)["x"]
    assert stored["counter"] == str(4 * ROUNDS)
    assert stored["refresh_token"] == f"rt-{4 * ROUNDS}"
    assert stored["client_id"] == "cid"  # a merge, never a loss of the other values
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_reader_never_sees_a_half_written_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    store_secrets(path, "x", {"refresh_token": "rt-0", "padding": "p" * 20_000})
    seen: list[str] = []
    done = threading.Event()

    def read_while_written() -> None:
        while not done.is_set():
            seen.append(read_secrets_file(path)["x"]["refresh_token"])

    reader = threading.Thread(target=read_while_written)
    reader.start()
    try:
        for n in range(1, 60):
            store_secrets(path, "x", {"refresh_token": f"rt-{n}"})
    finally:
        done.set()
        reader.join(timeout=30)
    assert seen and all(value.startswith("rt-") for value in seen)
    assert read_secrets_file(path)["x"]["refresh_token"] == "rt-59"
