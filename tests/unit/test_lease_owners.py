"""Whose lease it is: a worker id `host:pid:tag` read back, and whether its process still runs
here (signal 0: gone, alive, or someone else's and so alive)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crosspost.posts import leases
from crosspost.posts.leases import Holder, Owner, holder_of, parse_owner, process_alive
from crosspost.worker.dispatcher import new_worker_id


def gone_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("web-1:4242:abc123", Owner("web-1", 4242)),
        ("db.example.org:1:0f0f0f", Owner("db.example.org", 1)),
        ("w", None),  # not a worker id: never taken back early
        ("host:abc:abc123", None),
        ("host:0:abc123", None),  # os.kill(0, …) would mean the process group
        ("host:-5:abc123", None),
        (":4242:abc123", None),
        ("host:4242:", None),
    ],
)
def test_an_owner_is_read_back_as_host_and_pid(owner, expected):
    assert parse_owner(owner) == expected


def test_this_workers_id_names_this_host_and_pid():
    assert parse_owner(new_worker_id()) == Owner(leases.this_host(), os.getpid())
    assert str(Owner("web-1", 4242)) == "web-1:4242"


def test_a_running_process_is_alive_and_an_ended_one_is_not():
    assert process_alive(os.getpid())
    assert not process_alive(gone_pid())


def test_someone_elses_process_is_alive(monkeypatch):
    def refused(pid: int, sig: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", refused)
    assert process_alive(4242)


def test_the_holder_says_alive_stopped_or_elsewhere():
    here, dead = leases.this_host(), gone_pid()
    assert holder_of(None) is None
    assert holder_of(f"{here}:{os.getpid()}:abc123") is Holder.ALIVE
    assert holder_of(f"{here}:{dead}:abc123") is Holder.STOPPED
    assert holder_of(f"not-{here}:{dead}:abc123") is Holder.ELSEWHERE
    assert holder_of("w1") is Holder.ELSEWHERE  # an id we cannot check
    # A pid reused by another process counts as alive: the lease is kept (safe).
    assert holder_of(f"{here}:{dead}:abc123", alive=lambda pid: True) is Holder.ALIVE
    assert holder_of("web-1:7:abc123", host="web-1", alive=lambda pid: pid != 7) is Holder.STOPPED
