"""The adapter contract: where the worker (which knows the database) meets a platform.

An adapter knows one platform and nothing of the database. It declares its limits as data,
renders content into a platform draft, checks it, publishes it, and can find a copy it already
published (platforms give no idempotency keys, so reconciliation asks them). Every library or
HTTP failure leaves an adapter as one of the `PublishError` classes below: the worker never sees
a library's exceptions.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from crosspost.adapters.auth import AuthCommand, CredentialStore

# The error taxonomy lives in failures.py; it is re-exported here, where adapters import it.
from crosspost.adapters.failures import AmbiguousOutcomeError as AmbiguousOutcomeError
from crosspost.adapters.failures import AuthenticationError as AuthenticationError
from crosspost.adapters.failures import DuplicateContentError as DuplicateContentError
from crosspost.adapters.failures import InconclusiveError as InconclusiveError
from crosspost.adapters.failures import PermanentError as PermanentError
from crosspost.adapters.failures import PublishError as PublishError
from crosspost.adapters.failures import QuotaExhaustedError as QuotaExhaustedError
from crosspost.adapters.failures import RateLimitedError as RateLimitedError
from crosspost.adapters.failures import RetryableError as RetryableError
from crosspost.adapters.failures import no_answer as no_answer
from crosspost.adapters.failures import unsettled_error as unsettled_error
from crosspost.adapters.registry import Platform as Platform  # re-exported: the registry owns it


class ContentKind(enum.StrEnum):
    ARTICLE = "article"
    VIDEO = "video"
    PODCAST = "podcast"


class MediaRole(enum.StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    COVER = "cover"
    IMAGE = "image"


class Secret(str):
    """A credential value that never shows itself in repr, logs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class MediaFile:
    path: Path
    role: MediaRole
    size: int
    sha256: str
    mime_type: str | None = None


def first_with_role(media: Sequence[MediaFile], roles: Iterable[MediaRole]) -> MediaFile | None:
    """The first file of `media` with the first of `roles` found there (roles in preference)."""
    for role in roles:
        found = next((m for m in media if m.role == role), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class ContentSnapshot:
    """What an adapter sees of a content item: plain values, no database session."""

    content_id: int
    kind: ContentKind
    title: str
    summary: str = ""
    body: str = ""
    link: str | None = None
    hashtags: tuple[str, ...] = ()
    media: tuple[MediaFile, ...] = ()
    language: str = "vi"
    unit: str | None = None
    # Per-platform overrides, e.g. {"x": {"text": "..."}, "youtube": {"title": "..."}}.
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def media_with_role(self, *roles: MediaRole) -> MediaFile | None:
        """The first file with the first of `roles` the content has."""
        return first_with_role(self.media, roles)


@dataclass(frozen=True)
class AccountConfig:
    """One configured account: its settings from config and its resolved credentials."""

    name: str
    platform: Platform
    settings: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, Secret] = field(default_factory=dict)
    # Where rotated credentials are written back (the secrets file); None: nowhere.
    store: CredentialStore | None = None

    def credential(self, key: str) -> Secret:
        try:
            return self.credentials[key]
        except KeyError:
            raise AuthenticationError(
                f"account {self.name!r} has no credential {key!r}; "
                f"run `crosspost auth {self.platform}` or set it in the secrets file"
            ) from None


@dataclass(frozen=True)
class Limits:
    """A platform's limits, declared as data so rendering and checks share one source."""

    text_max: int
    title_max: int | None = None
    description_max_bytes: int | None = None
    tags_max_total: int | None = None
    max_images: int = 0
    max_videos: int = 0
    image_max_bytes: int | None = None
    video_max_bytes: int | None = None
    video_max_seconds: float | None = None
    url_weight: int | None = None  # X counts every URL as this many characters
    # Media types taken as images (covers, thumbnails) and as videos; a value ending in "/"
    # takes the whole family ("video/"); empty takes any file of that family.
    image_types: frozenset[str] = frozenset()
    video_types: frozenset[str] = frozenset()
    gif_max_bytes: int | None = None  # a GIF's own cap, where the platform sets one

    def with_settings(self, settings: Mapping[str, Any], names: Mapping[str, str]) -> Limits:
        """These limits with the account `settings` named in `names` (setting -> field) applied;
        a setting left unset, or not a positive number, keeps the declared figure."""
        changes: dict[str, Any] = {}
        for key, field_name in names.items():
            value = settings.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                changes[field_name] = (
                    float(value) if field_name.endswith("_seconds") else int(value)
                )
        return replace(self, **changes) if changes else self

    def takes(self, family: str, mime_type: str) -> bool:
        """Whether a file of `mime_type` is taken as an "image" or a "video"."""
        accepted = self.image_types if family == "image" else self.video_types
        if not accepted:
            return True
        return mime_type in accepted or any(
            a.endswith("/") and mime_type.startswith(a) for a in accepted
        )


@dataclass(frozen=True)
class Draft:
    """Content rendered for one platform: exactly what will be sent.

    `parts` are the post texts in order (one for a single post, several for an X thread);
    `title`, `description` and `tags` are YouTube's; `link` is the link to attach (Facebook's
    link preview); `media` are the files to upload; `problems` lists everything that would make
    the platform refuse it (scheduling refuses a draft with problems).
    """

    platform: Platform
    kind: ContentKind
    parts: tuple[str, ...] = ()
    title: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    link: str | None = None
    media: tuple[MediaFile, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.parts[0] if self.parts else ""

    def media_with_role(self, *roles: MediaRole) -> MediaFile | None:
        """The first file with the first of `roles` the draft has."""
        return first_with_role(self.media, roles)


class StepKind(enum.StrEnum):
    """The steps of a publish that make something on the platform, each with its receipt."""

    PART = "part"  # one post of a thread (number 1 is the first post), or the only post
    VIDEO = "video"  # an uploaded video (YouTube's videos.insert, Facebook's upload session)
    THUMBNAIL = "thumbnail"  # a video's custom thumbnail (remote id: the video's)
    PLAYLIST = "playlist"  # the video's playlist item


@dataclass(frozen=True)
class StepReceipt:
    """One confirmed step of a publish: what was made and its id, known as soon as the
    platform answered, so a later attempt resumes after it and never makes it again."""

    kind: StepKind
    number: int  # 1-based within its kind (thread part 1, 2, …)
    remote_id: str
    url: str | None = None

    @property
    def key(self) -> tuple[StepKind, int]:
        return (self.kind, self.number)


# Called by an adapter with each step's receipt the moment the platform confirms it; the worker
# records it before the adapter goes on. If it raises, the adapter must stop and let it through.
StepCallback = Callable[[StepReceipt], None]


@dataclass(frozen=True)
class PublishRequest:
    """One attempt to publish one post: the draft plus what identifies the attempt."""

    post_id: int
    attempt_number: int
    draft: Draft
    scheduled_at: datetime
    # When the first attempt began: find_existing looks for copies created since then.
    first_attempt_at: datetime | None = None
    # Steps earlier attempts confirmed: publish resumes after them, find_existing from them.
    done: tuple[StepReceipt, ...] = ()
    # Remote ids other posts hold: never this post's copy (a repost is not its original).
    exclude_ids: frozenset[str] = frozenset()
    # A per-post token a platform may carry where the public does not read it (a YouTube
    # tag): find_existing matches on it where the platform lets a post carry one.
    marker: str | None = None
    on_step: StepCallback | None = None

    def done_id(self, kind: StepKind, number: int = 1) -> str | None:
        """The remote id of a step an earlier attempt (or this one) confirmed, if any."""
        return next((s.remote_id for s in self.done if s.key == (kind, number)), None)

    def confirm(self, step: StepReceipt) -> None:
        """Report a confirmed step (recorded before this returns); exceptions pass through."""
        if self.on_step is not None:
            self.on_step(step)


@dataclass(frozen=True)
class Receipt:
    """What the platform gave back for a published post (or what find_existing found)."""

    remote_id: str
    url: str | None = None
    # Ids of further objects created for the post (thread replies, uploaded media, thumbnails).
    extra_ids: tuple[str, ...] = ()
    # Notes on the post that stands (e.g. a thumbnail the platform would not take).
    warnings: tuple[str, ...] = ()
    # Every step's receipt, the earlier attempts' included (the store keeps each once).
    steps: tuple[StepReceipt, ...] = ()
    # From find_existing: False when only the first steps are there (a thread found up to a
    # part): the post resumes after them instead of being published.
    complete: bool = True


ProgressCallback = Callable[[int, int], None]
"""Called with (bytes sent so far, total bytes) during uploads."""


# ---------------------------------------------------------------------------------------------
# The adapter
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    """One account setting an adapter accepts in config, with its type and help."""

    type: type | tuple[type, ...]
    help: str
    required: bool = False
    secret: bool = False
    choices: tuple[Any, ...] | None = None
    default: Any = None  # what `Adapter.setting` gives for an account that does not set it


@dataclass(frozen=True)
class Pacing:
    """Claim none of the account's posts before `until`, because `reason`."""

    until: datetime
    reason: str


class Adapter(ABC):
    """One platform. Subclasses declare data (platform, kinds, limits, settings) and calls."""

    platform: ClassVar[Platform]
    display_name: ClassVar[str]  # the platform's name in sentences ("YouTube")
    supported_kinds: ClassVar[frozenset[ContentKind]]
    limits: ClassVar[Limits]
    # Account settings this adapter accepts in config ([accounts.NAME] table), beyond the
    # common ones (platform, adapter, enabled). Config validation names any other key.
    settings_spec: ClassVar[Mapping[str, SettingSpec]] = {}
    # Account settings that change a limit (setting -> `Limits` field): `effective_limits()`
    # applies them, and rendering and publishing both check against that one result.
    limit_settings: ClassVar[Mapping[str, str]] = {}
    # Posts an account may start per window unless its config says otherwise (keys: per_minute,
    # per_15_minutes, per_hour, per_day), from the platform's documented limits.
    default_budget: ClassVar[Mapping[str, int]] = {}
    # The zone whose midnight starts the platform's day for `per_day` (None: a rolling 24 h).
    budget_day_zone: ClassVar[str | None] = None
    # Windows that count only the account's posts carrying a video (Facebook Reels: 30 a day),
    # kept when the boolean account setting `video_budget_setting` is on (None: always).
    video_budget: ClassVar[Mapping[str, int]] = {}
    video_budget_setting: ClassVar[str | None] = None
    # Whether a podcast reaches this platform as a video of its cover over its audio (made
    # by `crosspost.render.podcast.prepare_content` before rendering).
    podcast_as_video: ClassVar[bool] = False
    # Loggers of the platform's client libraries, kept at WARNING by `crosspost worker`.
    library_loggers: ClassVar[tuple[str, ...]] = ()
    # How `crosspost auth <platform> ACCOUNT` gets credentials (None: the platform has none).
    auth_command: ClassVar[AuthCommand | None] = None

    def __init__(self, account: AccountConfig) -> None:
        self.account = account

    def setting(self, key: str) -> Any:
        """The account's `key` setting, or the default `settings_spec` declares for it when the
        account leaves it unset (absent, None or an empty string)."""
        value = self.account.settings.get(key)
        if value is None or value == "":
            return self.settings_spec[key].default
        return value

    def scrub(self, text: str) -> str:
        """`text` without any of the account's credentials: messages quote what servers and
        libraries said, and those may echo a token back."""
        for secret in self.account.credentials.values():
            if secret:
                text = text.replace(secret.reveal(), "***")
        return text

    def supports(self, kind: ContentKind) -> bool:
        return kind in self.supported_kinds

    def not_applicable_reason(self, kind: ContentKind) -> str | None:
        """Why this platform cannot take this kind at all (refused at schedule time)."""
        if self.supports(kind):
            return None
        kinds = ", ".join(sorted(self.supported_kinds))
        return f"{self.platform} does not take {kind} content (it takes: {kinds})"

    @classmethod
    def limits_for(cls, settings: Mapping[str, Any], limits: Limits | None = None) -> Limits:
        """`limits` (the class's own by default) with an account's `settings` applied."""
        return (limits or cls.limits).with_settings(settings, cls.limit_settings)

    def effective_limits(self) -> Limits:
        """The limits this account's drafts are rendered and checked against."""
        return self.limits_for(self.account.settings)

    def render(self, content: ContentSnapshot) -> Draft:
        """Adapt content to this platform. Pure: no network, same input gives same output.

        The shared renderer does the work with this platform's rules (its package's `render`
        module), the account's settings and `effective_limits()`.
        """
        from crosspost.render import render_draft

        settings = self.account.settings
        return render_draft(self.platform, content, settings, limits=self.effective_limits())

    def check(self, draft: Draft) -> list[str]:
        """Every problem that would make the platform refuse the draft: rendering's, the kind,
        then the platform's own checks against `effective_limits()`. Each problem is worded
        once, so one found by rendering and again here is listed once."""
        reason = self.not_applicable_reason(draft.kind)
        found = [*draft.problems, *([reason] if reason else [])]
        if not reason:
            found.extend(self.draft_problems(draft, self.effective_limits()))
        return list(dict.fromkeys(found))

    def draft_problems(self, draft: Draft, limits: Limits) -> list[str]:
        """The platform's checks of a finished draft, rendered or not; none by default."""
        return []

    def publish(self, request: PublishRequest, progress: ProgressCallback | None = None) -> Receipt:
        """Publish the draft; return the receipt or raise one of the PublishError classes.

        A draft the platform would refuse is a PermanentError listing every problem, raised
        before anything is sent; only a draft that passes `check` reaches `_publish`.
        """
        problems = self.check(request.draft)
        if problems:
            raise PermanentError("; ".join(problems))
        return self._publish(request, progress)

    @abstractmethod
    def _publish(self, request: PublishRequest, progress: ProgressCallback | None) -> Receipt:
        """The platform's calls for a checked draft."""

    @abstractmethod
    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """Find a copy of this draft published since `since`, if the platform has one."""

    def warm_up(self) -> None:
        """Load now what the first publish of a run would load (client libraries, templates,
        the length counter's patterns), so that post is not late. No network."""
        kind = min(self.supported_kinds)
        self.render(
            ContentSnapshot(
                content_id=0,
                kind=kind,
                title="Khởi động",
                summary="Chuẩn bị đăng bài.",
                link="https://example.vn/khoi-dong",
                hashtags=("#KhởiĐộng",),
            )
        )

    def pacing(self) -> Pacing | None:
        """After a call: whether the platform's usage figures ask this account to slow down
        (the worker then claims none of its posts until `Pacing.until`). Most platforms only
        say so with an error; adapters whose platform reports usage override this."""
        return None

    def notices(self) -> list[str]:
        """Warnings about the account that stop nothing yet (a platform version near its end),
        one line each; `accounts check` prints them and the worker logs them at start. No
        network."""
        return []

    @abstractmethod
    def verify(self) -> str:
        """Check the credentials against the platform; return the account's remote identity."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; adapters holding clients override it."""
