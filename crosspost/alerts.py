"""Telling people when something needs them: a post failed for good, an account paused, a post
stuck `unknown`. Always in the log; also through the notification URLs in config ([notify] urls,
apprise: e-mail, Telegram, Slack, webhooks…). A broken notifier never fails a publish, and the
URLs (which carry tokens) are never logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

log = logging.getLogger("crosspost.alerts")


@contextmanager
def _url_reading() -> Iterator[None]:
    """Apprise logs a URL it cannot parse, token and all: its logger is off while it reads ours."""
    apprise_log = logging.getLogger("apprise")
    was = apprise_log.disabled
    apprise_log.disabled = True
    try:
        yield
    finally:
        apprise_log.disabled = was


def url_problems(urls: Sequence[str]) -> list[str]:
    """One line per [notify] URL apprise cannot use, naming its place and scheme only (the rest
    of a URL is often a token): checked when the worker starts, not when the first alert is lost."""
    if not urls:
        return []
    import apprise

    problems = []
    for n, url in enumerate(urls, start=1):
        with _url_reading():
            plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            scheme = url.partition("://")[0] if "://" in url else ""
            what = f"scheme {scheme!r}" if scheme else "no scheme://"
            problems.append(
                f"[notify] urls[{n}] ({what}) is not a notification URL apprise understands; "
                "fix it (github.com/caronc/apprise/wiki lists the services) or remove it"
            )
    return problems


class Alerts:
    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = tuple(urls)

    def send(self, title: str, body: str) -> bool:
        """Log the alert and deliver it; True when every URL took it (or there are none)."""
        log.warning("%s: %s", title, body)
        if not self.urls:
            return True
        try:
            import apprise

            notifier = apprise.Apprise()
            for url in self.urls:
                with _url_reading():
                    added = notifier.add(url)
                if not added:
                    log.error("a [notify] URL is not one apprise understands; alert not sent there")
            delivered = bool(
                notifier.notify(title=title, body=body, notify_type=apprise.NotifyType.WARNING)
            )
        except Exception:
            log.exception("could not send the alert %r", title)
            return False
        if not delivered:
            log.error("the alert %r did not reach every [notify] URL", title)
        return delivered

    def post_failed(self, post_id: int, account: str, reason: str) -> None:
        self.send(f"crosspost: post {post_id} failed", f"{account}: {reason}")

    def account_paused(self, account: str, reason: str) -> None:
        self.send(
            f"crosspost: account {account} paused",
            f"{reason}. Fix its credentials (crosspost auth …), then run "
            f"`crosspost accounts check {account}`; its posts wait meanwhile.",
        )

    def post_unknown(self, post_id: int, account: str, minutes: float) -> None:
        self.send(
            f"crosspost: post {post_id} outcome unknown",
            f"{account}: for over {minutes:g} minutes crosspost could not learn from the "
            "platform whether it was published; check the account and `crosspost posts show "
            f"{post_id}`.",
        )
