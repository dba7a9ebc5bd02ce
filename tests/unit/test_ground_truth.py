"""The judge of the acceptance runs, on small hand-made sandbox states: it must pass a run that
is right and name each way one can be wrong."""

from __future__ import annotations

import unicodedata
from typing import Any

from tests.support.ground_truth import (
    LastAttempt,
    PostRecord,
    Step,
    duplicate_problems,
    failure_problems,
    judge,
    playlist_problems,
    refusal_problems,
    repost_problems,
    shared_id_problems,
    thread_problems,
    unheld_problems,
)

PARTS = ("Bài 1: chi bộ https://tapchi.example.vn/a & <b>", "Ý 1 của bài 1.", "Ý 2 của bài 1.")


def tweet(tid: str, text: str, reply: str | None, author: str = "u1") -> dict[str, Any]:
    return {"id": tid, "text": text, "in_reply_to": reply, "author_id": author, "media_ids": []}


def state(*tweets: dict[str, Any], videos: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {
        "x": {"tweets": list(tweets)},
        "facebook": {"page": {"id": "p"}, "posts": [], "videos": []},
        "youtube": {"channel": {"id": "c"}, "videos": list(videos)},
    }


def thread(**changes: Any) -> PostRecord:
    values: dict[str, Any] = {
        "id": 1,
        "content_id": 10,
        "account": "tapchi-x",
        "platform": "x",
        "state": "published",
        "remote_id": "101",
        "parts": PARTS,
        "steps": tuple(Step("part", n, str(100 + n)) for n in (1, 2, 3)),
    }
    values.update(changes)
    return PostRecord(**values)


WHOLE = state(
    tweet("101", PARTS[0], None), tweet("102", PARTS[1], "101"), tweet("103", PARTS[2], "102")
)


def test_a_whole_thread_passes_every_check():
    assert judge([thread()], WHOLE, []) == []


def test_texts_are_compared_as_the_sandbox_recorded_them_exactly():
    # The sandbox's state keeps the text it received (NFC), not the t.co form it shows: a
    # part with another link, or NFD that is the same in NFC, is judged on the exact text.
    other_link = PARTS[0].replace("/a ", "/b ")
    sandbox = state(
        tweet("101", other_link, None), tweet("102", PARTS[1], "101"), tweet("103", PARTS[2], "102")
    )
    assert any("part 1 (101) reads" in p for p in thread_problems([thread()], sandbox))
    nfd = state(
        tweet("101", PARTS[0], None),
        tweet("102", unicodedata.normalize("NFD", PARTS[1]), "101"),
        tweet("103", PARTS[2], "102"),
    )
    assert thread_problems([thread()], nfd) == []


def test_a_playlist_holding_a_video_twice_is_named():
    sandbox = WHOLE | {
        "youtube": {
            "channel": {"id": "c"},
            "videos": [],
            "playlists": {"PL1": {"video_ids": ["v1", "v1"]}},
        }
    }
    assert playlist_problems(sandbox) == ["youtube playlist PL1: video v1 in it 2 times"]


def test_a_missing_part_step_a_broken_reply_and_a_changed_text_are_named():
    post = thread(steps=(Step("part", 1, "101"), Step("part", 2, "102")))
    assert "want parts 1..3" in thread_problems([post], WHOLE)[0]
    broken = state(
        tweet("101", PARTS[0], None), tweet("102", PARTS[1], "101"), tweet("103", "khác", "101")
    )
    problems = thread_problems([thread()], broken)
    assert any("replies to 101, not 102" in p for p in problems)
    assert any("part 3 (103) reads 'khác'" in p for p in problems)


def test_a_part_twice_on_x_is_a_duplicate():
    doubled = state(*WHOLE["x"]["tweets"], tweet("104", PARTS[1], "101"))
    assert any("part 2 is on X 2 times" in p for p in thread_problems([thread()], doubled))
    assert any("is there 2 times" in p for p in duplicate_problems([thread()], doubled))
    assert any("held by no post" in p for p in unheld_problems([thread()], doubled))


def test_a_failed_thread_with_parts_out_must_say_why():
    cut = state(tweet("101", PARTS[0], None))
    silent = thread(state="failed", steps=(Step("part", 1, "101"),), last_error=None)
    assert any("no reason in last_error" in p for p in thread_problems([silent], cut))
    told = thread(state="failed", steps=(Step("part", 1, "101"),), last_error="part 2 refused")
    assert thread_problems([told], cut) == []
    cancelled = thread(state="cancelled", steps=(Step("part", 1, "101"),))
    assert any("cut short" in p for p in thread_problems([cancelled], cut))


def test_an_id_held_twice_and_a_repost_matched_to_its_original():
    first = thread()
    again = thread(id=2, reposted_from=1)
    assert any("held by posts [1, 2]" in p for p in shared_id_problems([first, again]))
    assert any("matched to its original 1" in p for p in repost_problems([first, again], WHOLE))


def test_a_repost_of_a_video_is_its_own_copy_not_a_duplicate():
    videos = ({"id": "v1", "title": "Phóng sự 1"}, {"id": "v2", "title": "Phóng sự 1"})
    sandbox = state(videos=videos)
    video = {"content_id": 5, "account": "tapchi-youtube", "platform": "youtube"}
    original = PostRecord(id=7, state="published", remote_id="v1", **video)
    repost = PostRecord(id=8, state="published", remote_id="v2", reposted_from=7, **video)
    assert judge([original, repost], sandbox, []) == []
    second = PostRecord(id=8, state="published", remote_id="v2", **video)  # not a repost
    assert duplicate_problems([original, second], sandbox) != []


def test_a_failure_needs_an_injected_permanent_fault_in_its_attempt():
    failed = thread(
        state="failed",
        remote_id=None,
        steps=(),
        last_error="refused",
        last_attempt=LastAttempt("permanent", "refused", 100.0, 101.0),
    )
    fault = {
        "platform": "x",
        "fault": "permanent",
        "received_at": 100.5,
        "json": {"text": PARTS[0]},
    }
    assert failure_problems([failed], [fault]) == []
    other_text = {**fault, "json": {"text": "Bài khác"}}
    too_late = {**fault, "received_at": 200.0}
    for requests in ([], [other_text], [too_late], [{**fault, "fault": "5xx"}]):
        assert failure_problems([failed], requests), requests
    # one fault explains one failure
    twin = thread(**{**failed.__dict__, "id": 2})
    assert len(failure_problems([failed, twin], [fault])) == 1
    not_permanent = thread(**{**failed.__dict__, "last_attempt": LastAttempt("error", "x", 1, 2)})
    assert "not a permanent refusal" in failure_problems([not_permanent], [fault])[0]


def test_a_post_still_going_or_published_but_absent_is_lost():
    problems = judge([thread(state="unknown"), thread(id=2, remote_id="999", steps=())], WHOLE, [])
    assert any("still unknown" in p for p in problems)
    assert any("published as 999, which x does not have" in p for p in problems)


def test_scheduling_again_must_be_refused_in_one_line_naming_repost():
    line = "content 3 cannot be scheduled: x: already published; use `crosspost repost 3`"
    assert refusal_problems(3, 1, line + "\n") == []
    assert refusal_problems(3, 0, "post 9 → x\n")
    assert refusal_problems(3, 1, "Traceback\n  boom\n")
