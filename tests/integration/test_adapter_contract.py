"""One adapter contract for every platform: the error taxonomy, reconciliation and secrets,
run on X, YouTube and Facebook (real client libraries over HTTP to the sandbox) and on the
in-memory twin the spine's tests use. Each platform is a row of data (tests/support/
contract_rows.py); every case judges by what the platform holds (the sandbox's state and
request log, the twin's journal), not only by the exception."""

from __future__ import annotations

import logging
import socket
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    AuthenticationError,
    DuplicateContentError,
    PermanentError,
    PublishError,
    RateLimitedError,
    RetryableError,
    Secret,
)
from crosspost.sandbox import SandboxServer
from tests.support.contract import (
    Call,
    Row,
    SandboxStand,
    Stand,
    TwinStand,
    naive_utc,
    skip_unless_applicable,
)
from tests.support.contract_rows import ROWS

TIMEOUT = 0.5  # seconds: the adapters' HTTP timeout where a call is made to time out


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer() as server:  # every platform: one server for the module
        yield server


@pytest.fixture
def stand(
    request: pytest.FixtureRequest, tmp_path: Any, sandbox_server: SandboxServer
) -> Iterator[Stand]:
    row: Row = request.param
    made: Stand
    if row.sandbox is None:
        made = TwinStand(row, tmp_path)
    else:
        made = SandboxStand(row, tmp_path, row.sandbox(sandbox_server))
    try:
        yield made
    finally:
        made.close()
        if isinstance(made, SandboxStand):
            made.control.close()


def rows() -> Any:
    return pytest.mark.parametrize("stand", ROWS, ids=[r.name for r in ROWS], indirect=True)


def row_calls(pick: Callable[[Row], tuple[Call, ...]]) -> Any:
    """Parametrise over each row and each of the calls `pick` takes from it."""
    pairs = [pytest.param(r, c, id=f"{r.name}-{c.action}") for r in ROWS for c in pick(r)]
    return pytest.mark.parametrize(("stand", "call"), pairs, indirect=["stand"])


def closed_port() -> int:
    with socket.socket() as probe:  # bound, then closed: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def nothing_created(stand: Stand) -> None:
    assert stand.created() == []


def only_copy(stand: Stand, text: str) -> dict[str, Any]:
    """The one object the platform holds, checked to carry `text`."""
    (made,) = stand.created()
    assert stand.row.text_of(made) == unicodedata.normalize("NFC", text)
    return made


def stopped_at(stand: Stand, action: str) -> None:
    """The adapter sent nothing after the refused `action` (nor anything before a refused
    token request: without a token no API call goes out)."""
    received = stand.received()
    if received is None:
        return  # the twin has no wire; its journal said nothing was created
    assert received and received[-1]["action"] == action
    if action == stand.row.token_action:
        assert {e["action"] for e in received} == {action}


# -- 5xx -----------------------------------------------------------------------------------------
@rows()
def test_a_5xx_on_the_creating_call_is_ambiguous_and_created_nothing(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "5xx", request, row.creating.action)
    publish = stand.request(row.creating.draft(stand.folder, row.text))
    stand.fault("5xx", row.creating)
    adapter = stand.adapter(row.creating)
    with pytest.raises(AmbiguousOutcomeError) as caught:
        adapter.publish(publish)
    row.expectation("5xx", row.creating.action).check(caught.value)
    nothing_created(stand)  # the platform made nothing: reconciliation will find nothing
    assert adapter.find_existing(publish, publish.scheduled_at) is None


@row_calls(lambda r: r.before)
def test_a_5xx_before_anything_is_created_is_retryable(
    stand: Stand, call: Call, request: pytest.FixtureRequest
) -> None:
    skip_unless_applicable(stand.row, "5xx", request, call.action)
    stand.fault("5xx", call)
    with pytest.raises(RetryableError) as caught:
        stand.adapter(call).publish(stand.request(call.draft(stand.folder, stand.row.text)))
    assert type(caught.value) is RetryableError
    stand.row.expectation("5xx", call.action).check(caught.value)
    nothing_created(stand)


@rows()
def test_a_5xx_on_the_identity_read_is_retryable(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    identity = Call(stand.row.identity_action, stand.row.draft)
    skip_unless_applicable(stand.row, "5xx", request, identity.action)
    stand.fault("5xx", identity)
    with pytest.raises(RetryableError) as caught:
        stand.adapter().verify()
    assert type(caught.value) is RetryableError


# -- no connection, no answer ---------------------------------------------------------------------
@rows()
def test_a_refused_connection_is_retryable_even_for_the_creating_call(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "refused", request)
    assert isinstance(stand, SandboxStand)
    url = f"http://127.0.0.1:{closed_port()}"
    adapter = stand.adapter(row.creating, url=url, auth_url=stand.url)
    with pytest.raises(RetryableError) as caught:
        adapter.publish(stand.request(row.creating.draft(stand.folder, row.text)))
    assert type(caught.value) is RetryableError  # nothing was sent: nothing to reconcile
    row.expectation("refused").check(caught.value)
    nothing_created(stand)


@rows()
def test_a_timeout_on_the_creating_call_is_ambiguous_and_the_copy_is_found(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "timeout", request, row.creating.action)
    assert isinstance(stand, SandboxStand) and row.sandbox is not None
    with stand.proxy() as proxy:
        adapter = stand.adapter(row.creating, url=proxy.url, timeout_seconds=TIMEOUT)
        publish = stand.request(row.creating.draft(stand.folder, row.text))
        proxy.stall(row.sandbox.platform, row.creating.action)
        with pytest.raises(AmbiguousOutcomeError) as caught:
            adapter.publish(publish)
        assert proxy.stalled == [row.creating.action]
        row.expectation("timeout", row.creating.action).check(caught.value)
        made = only_copy(stand, row.text)  # the platform finished it after the client gave up
        found = adapter.find_existing(publish, publish.scheduled_at - timedelta(minutes=1))
        assert found is not None and found.remote_id == row.id_of(made)


@row_calls(lambda r: r.before)
def test_a_timeout_before_the_creating_call_is_retryable(
    stand: Stand, call: Call, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "timeout", request, call.action)
    assert isinstance(stand, SandboxStand) and row.sandbox is not None
    with stand.proxy() as proxy:
        adapter = stand.adapter(call, url=proxy.url, timeout_seconds=TIMEOUT)
        proxy.stall(row.sandbox.platform, call.action, call.count)
        with pytest.raises(RetryableError) as caught:
            adapter.publish(stand.request(call.draft(stand.folder, row.text)))
        assert proxy.stalled[:1] == [call.action]
    assert type(caught.value) is RetryableError
    row.expectation("timeout", call.action).check(caught.value)
    nothing_created(stand)


# -- lost answers and reconciliation --------------------------------------------------------------
@rows()
def test_a_lost_answer_is_ambiguous_and_find_existing_finds_the_one_copy(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "lost_answer", request)
    adapter = stand.adapter(row.creating)
    publish = stand.request(row.creating.draft(stand.folder, row.text))
    since = publish.first_attempt_at or publish.scheduled_at
    assert adapter.find_existing(publish, since) is None  # nothing before it was created
    for kind in row.lost_answer:
        stand.fault(kind, row.creating)
    adapter = stand.adapter(row.creating)
    with pytest.raises(AmbiguousOutcomeError) as caught:
        adapter.publish(publish)
    assert not isinstance(caught.value, DuplicateContentError)
    row.expectation("lost_answer").check(caught.value)
    made = only_copy(stand, row.text)  # created exactly once, though no answer said so
    found = adapter.find_existing(publish, since)
    assert found is not None and found.remote_id == row.id_of(made)
    assert found.url == row.url_of(stand.state(), made)
    other = stand.request(row.creating.draft(stand.folder, "Một bài khác hẳn"))
    assert adapter.find_existing(other, since) is None
    assert adapter.find_existing(publish, datetime.now(UTC) + timedelta(hours=1)) is None


@rows()
def test_find_existing_compares_text_in_nfc(stand: Stand, request: pytest.FixtureRequest) -> None:
    row = stand.row
    skip_unless_applicable(row, "nfc", request)
    adapter = stand.adapter(row.creating)
    publish = stand.request(row.creating.draft(stand.folder, row.text))
    receipt = adapter.publish(publish)
    decomposed = unicodedata.normalize("NFD", row.text)
    assert decomposed != row.text
    nfd = replace(publish, draft=row.creating.draft(stand.folder, decomposed))
    since = naive_utc(datetime.now(UTC) - timedelta(minutes=1))  # naive means UTC
    found = adapter.find_existing(nfd, since)
    assert found is not None and found.remote_id == receipt.remote_id
    assert row.id_of(only_copy(stand, row.text)) == receipt.remote_id


# -- rate limits and credentials ------------------------------------------------------------------
@row_calls(lambda r: (r.creating, *r.before))
def test_a_429_is_rate_limited_until_the_platform_says(
    stand: Stand, call: Call, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "429", request, call.action)
    limit = row.rate_limit_of(call.action)
    stand.fault("429", call, retry_after=limit.retry_after)
    before = datetime.now(UTC)
    with pytest.raises(RateLimitedError) as caught:
        stand.adapter(call).publish(stand.request(call.draft(stand.folder, row.text)))
    after = datetime.now(UTC)
    retry_at = caught.value.retry_at
    assert retry_at is not None
    wait, slack = timedelta(seconds=limit.wait), timedelta(seconds=limit.tolerance)
    assert before + wait - slack <= retry_at <= after + wait + slack
    row.expectation("429", call.action).check(caught.value)
    nothing_created(stand)


@row_calls(lambda r: r.expired)
def test_an_expired_token_is_an_authentication_error(
    stand: Stand, call: Call, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "expired", request, call.action)
    stand.fault("expired", call)
    with pytest.raises(AuthenticationError) as caught:
        stand.adapter(call).publish(stand.request(call.draft(stand.folder, row.text)))
    row.expectation("expired", call.action).check(caught.value)
    nothing_created(stand)
    stopped_at(stand, call.action)


@rows()
def test_a_revoked_token_is_an_authentication_error(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    skip_unless_applicable(row, "revoked", request)
    assert row.revoke is not None, f"{row.name}: say how to revoke, or why it cannot apply"
    stand.configure(**row.revoke)
    adapter = stand.adapter(row.creating)
    with pytest.raises(AuthenticationError) as caught:
        adapter.publish(stand.request(row.creating.draft(stand.folder, row.text)))
    row.expectation("revoked").check(caught.value)
    assert row.revoked_at is not None
    stopped_at(stand, row.revoked_at)
    with pytest.raises(AuthenticationError):
        stand.adapter().verify()
    nothing_created(stand)


@rows()
def test_a_missing_credential_is_an_authentication_error_naming_it(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    credentials, name = row.missing
    with pytest.raises(AuthenticationError, match=name):
        stand.adapter(row.creating, credentials=credentials).verify()
    with pytest.raises(AuthenticationError, match=name):
        adapter = stand.adapter(row.creating, credentials=credentials)
        adapter.publish(stand.request(row.creating.draft(stand.folder, row.text)))
    assert stand.received() in (None, [])
    nothing_created(stand)


# -- refusals -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stand", "refusal"),
    [pytest.param(r, f, id=f"{r.name}-{f.message}") for r in ROWS for f in r.refusals],
    indirect=["stand"],
)
def test_a_draft_the_platform_would_refuse_is_permanent_and_sends_nothing(
    stand: Stand, refusal: Any
) -> None:
    adapter = stand.adapter(**refusal.settings)
    draft = refusal.draft(stand.folder)
    assert any(refusal.message in problem for problem in adapter.check(draft))
    with pytest.raises(PermanentError, match=refusal.message):
        adapter.publish(stand.request(draft))
    assert stand.received() in (None, [])
    nothing_created(stand)


@rows()
def test_the_platforms_refusal_is_permanent_with_its_reason(
    stand: Stand, request: pytest.FixtureRequest
) -> None:
    row = stand.row
    call = row.refusing or row.creating
    skip_unless_applicable(row, "platform_refusal", request, call.action)
    stand.fault("permanent", call)
    with pytest.raises(PermanentError) as caught:
        stand.adapter(call).publish(stand.request(call.draft(stand.folder, row.text)))
    assert type(caught.value) is PermanentError
    row.expectation("platform_refusal").check(caught.value)
    nothing_created(stand)


# -- identity and secrets -------------------------------------------------------------------------
@rows()
def test_verify_returns_the_accounts_remote_identity(stand: Stand) -> None:
    assert stand.adapter().verify() == stand.row.identity(stand.state())


Scenario = tuple[Callable[[], object], Callable[[], object]]


def failures(stand: Stand, credentials: Any) -> list[Scenario]:
    """Every failure the contract arranges, as (arrange, act) for one set of credentials."""
    row = stand.row
    found: list[Scenario] = []

    def publish(call: Call) -> Callable[[], object]:
        def act() -> object:
            adapter = stand.adapter(call, credentials=credentials)
            return adapter.publish(stand.request(call.draft(stand.folder, row.text)))

        return act

    def verify() -> object:
        return stand.adapter(credentials=credentials).verify()

    for kind in ("5xx", "429"):
        found.append(((lambda k=kind: stand.fault(k, row.creating)), publish(row.creating)))
    refusing = row.refusing or row.creating
    found.append(((lambda: stand.fault("permanent", refusing)), publish(refusing)))
    for call in row.expired:
        found.append(((lambda c=call: stand.fault("expired", c)), publish(call)))
    lose = [(kind, row.creating) for kind in row.lost_answer]
    found.append(((lambda: [stand.fault(k, c) for k, c in lose]), publish(row.creating)))
    for call in row.before:
        found.append(((lambda c=call: stand.fault("5xx", c)), publish(call)))
        # Answers lost until the adapter gives up (the sandbox rules are reset after each).
        found.append(((lambda c=call: stand.fault("ambiguous", c, count=10)), publish(call)))
    identity = Call(row.identity_action, row.draft)
    found.append(((lambda: stand.fault("5xx", identity)), verify))
    if row.revoke is not None:
        found.append(((lambda: stand.configure(**row.revoke or {})), verify))
    found.append((lambda: None, lambda: stand.adapter(credentials=row.missing[0]).verify()))
    return found


def received_texts(stand: Stand) -> list[str]:
    """What the platform received: every URL, and every request in full but those whose body
    carries the credentials by design (an OAuth token refresh)."""
    received = stand.received() or []
    urls = [f"{e['path']}?{e['query']}" for e in received]
    return urls + [str(e) for e in received if e["action"] not in stand.row.credential_actions]


def chain(error: BaseException | None) -> Iterator[BaseException]:
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


@rows()
def test_no_secret_in_any_error_repr_url_or_debug_log(
    stand: Stand, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    row = stand.row
    errors: list[PublishError] = []
    texts: list[str] = []
    for credentials in row.all_credentials():
        with_media = row.before[-1]  # a draft with media: the uploads run too
        adapter = stand.adapter(with_media, credentials=credentials)
        receipt = adapter.publish(stand.request(with_media.draft(stand.folder, "ổn cả")))
        texts += [repr(adapter), repr(adapter.account), str(adapter.account.credentials)]
        texts.append(repr(receipt))
        assert all(isinstance(v, Secret) for v in adapter.account.credentials.values())
        for arrange, act in failures(stand, credentials):
            arrange()
            with pytest.raises(PublishError) as caught:
                act()
            errors.append(caught.value)
            texts += received_texts(stand)
            if isinstance(stand, SandboxStand):
                stand.control.reset()  # no fault or revocation left over for the next one
    for error in errors:
        assert not any(isinstance(e, row.not_chained) for e in list(chain(error))[1:])
        texts += [
            t for e in chain(error) for t in (str(e), repr(e), repr(e.args), repr(e.__dict__))
        ]
    texts += [f"{r.name}: {r.getMessage()}" for r in caplog.records] + [caplog.text]
    leaks = [(secret, text) for text in texts for secret in row.secrets if secret in text]
    assert leaks == []
    if row.debug_evidence is not None:  # the DEBUG logs were there to search
        assert any(row.debug_evidence in f"{r.name}: {r.getMessage()}" for r in caplog.records)
