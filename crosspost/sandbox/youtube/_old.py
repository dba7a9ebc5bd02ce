"""YouTube Data API v3 for the sandbox: OAuth, resumable uploads, thumbnails, playlists.

Only the calls crosspost's adapter makes, checked the way YouTube checks them and answered in
Google's error shape, so the adapter's error mapping is exercised through the real client
library. Upload bodies stream: bytes are counted and hashed, never kept.

Choices the public docs leave open (marked so tests do not mistake them for platform facts):
a chunk that starts before the server's offset has its already-held bytes ignored (a resent
chunk is harmless); one that starts after it leaves a gap and is refused with 400; any PUT to a
finished session answers with the video again.

OAuth is Google's installed-app flow: ``GET /o/oauth2/auth`` plays the consent page (the user
always consents, unless the ``deny_consent`` knob says no) and redirects to a loopback
``redirect_uri`` with a single-use code; ``POST /token`` exchanges it (PKCE checked) for an
access token and, with ``access_type=offline``, a refresh token. Errors on the consent page are
pages, as Google's are; only a refusal by the user goes back to the redirect URI. Sandbox
choices: ``state`` is required (Google only recommends it), codes live ten minutes, a failed
exchange still uses up its code, and a code presented twice revokes the refresh token it gave.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.uploads import Received, received

PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's quota day
VIDEO_PATH = "/upload/youtube/v3/videos"
AUTH_PATH = "/o/oauth2(?:/v2)?/auth"  # the client secrets file's auth_uri, and Google's v2
SCOPE_ROOT = "https://www.googleapis.com/auth/"
KNOWN_SCOPES = frozenset(
    {
        *(
            SCOPE_ROOT + name
            for name in (
                "youtube",
                "youtube.upload",
                "youtube.readonly",
                "youtube.force-ssl",
                "youtubepartner",
                "userinfo.email",
                "userinfo.profile",
            )
        ),
        "openid",
        "email",
        "profile",
    }
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
AUTH_CODE_TTL = 600  # seconds; a sandbox choice (Google documents no figure)
PRIVACY_STATUSES = ("public", "unlisted", "private")
CATEGORY_IDS = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)
THUMBNAIL_TYPES = ("image/jpeg", "image/png", "application/octet-stream")
COST_WRITE = 50  # thumbnails.set, playlistItems.insert (2026 revision)
COST_READ = 1
_CONTENT_RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
_STATUS_TEXT = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}
_PERMANENT_REASON = {
    "videos.insert": ("invalidVideoMetadata", "youtube.video"),
    "videos.upload": ("invalidVideoMetadata", "youtube.video"),
    "thumbnails.set": ("invalidImage", "youtube.thumbnail"),
    "playlistItems.insert": ("invalidValue", "youtube.playlistItem"),
}
DEFAULTS: dict[str, Any] = {
    "uploads_per_day": 100,
    "units_per_day": 10_000,
    "channel_upload_limit": None,
    "access_token_ttl": 3600,
    "max_thumbnail_bytes": 2 * 1024 * 1024,
    "channel_title": "Kênh Sandbox",
    "client_id": None,
    "client_secret": None,
    "deny_consent": False,  # the consent page answers error=access_denied
    "issue_refresh_tokens": True,  # False: code exchanges leave refresh_token out
}


class ApiError(Exception):
    """A refusal in Google's shape; handlers raise it, the route wrapper answers with it."""

    def __init__(
        self, status: int, reason: str, message: str, domain: str = "global", **headers: str
    ) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.domain = status, reason, message, domain
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}

    def response(self) -> Response:
        error = {"domain": self.domain, "reason": self.reason, "message": self.message}
        body = {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [error],
                "status": _STATUS_TEXT.get(self.status, "UNKNOWN"),
            }
        }
        return Response.json(body, status=self.status, headers=self.headers)


def tags_length(tags: Iterable[str]) -> int:
    """YouTube's count: commas between tags count, a tag with a space counts its quotes."""
    items = [t + '""' if " " in t else t for t in tags]
    return sum(len(t) for t in items) + max(len(items) - 1, 0)


def _rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _parts(request: Request) -> set[str]:
    raw = request.arg("part")
    if not raw:
        raise ApiError(400, "required", "Required parameter: part")
    return {p.strip() for p in raw.split(",") if p.strip()}


def _drain_count(request: Request) -> int:
    return sum(len(chunk) for chunk in request.stream())


@dataclass
class Quota:
    """The 2026 buckets: videos.insert calls per day, and units for every other call."""

    uploads_per_day: int
    units_per_day: int
    uploads_used: int = 0
    units_used: int = 0
    day: str = ""

    def _roll(self, now: float) -> None:
        today = datetime.fromtimestamp(now, PACIFIC).date().isoformat()
        if today != self.day:
            self.day, self.uploads_used, self.units_used = today, 0, 0

    def charge(self, now: float, *, upload: bool = False, units: int = 0) -> None:
        self._roll(now)
        if upload and self.uploads_used + 1 > self.uploads_per_day:
            raise _quota_error("videos.insert calls")
        if units and self.units_used + units > self.units_per_day:
            raise _quota_error("units")
        self.uploads_used += int(upload)
        self.units_used += units

    def describe(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "uploads_used": self.uploads_used,
            "uploads_per_day": self.uploads_per_day,
            "units_used": self.units_used,
            "units_per_day": self.units_per_day,
        }


def _quota_error(bucket: str) -> ApiError:
    return ApiError(
        403,
        "quotaExceeded",
        f"The request cannot be completed because you have exceeded your quota ({bucket}).",
        "youtube.quota",
    )


@dataclass
class Video:
    id: str
    title: str
    description: str
    tags: list[str]
    category_id: str
    privacy: str
    publish_at: str | None
    made_for_kids: bool
    created_at: float
    content_type: str
    bytes_received: int
    sha256: str
    session: UploadSession  # live counters: a resent final chunk still arrives afterwards
    thumbnail_bytes: int = 0
    thumbnail_sha256: str | None = None
    playlist_ids: list[str] = field(default_factory=list)

    def resource(self, parts: set[str], channel_id: str, channel_title: str) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "youtube#video", "etag": self.sha256[:16], "id": self.id}
        if "snippet" in parts:
            out["snippet"] = {
                "publishedAt": _rfc3339(self.created_at),
                "channelId": channel_id,
                "channelTitle": channel_title,
                "title": self.title,
                "description": self.description,
                "tags": list(self.tags),
                "categoryId": self.category_id,
            }
        if "status" in parts:
            status: dict[str, Any] = {
                "uploadStatus": "uploaded",
                "privacyStatus": self.privacy,
                "selfDeclaredMadeForKids": self.made_for_kids,
            }
            if self.publish_at:
                status["publishAt"] = self.publish_at
            out["status"] = status
        return out


@dataclass
class PlaylistItem:
    id: str
    video_id: str
    added_at: float


@dataclass
class Playlist:
    id: str
    title: str
    items: list[PlaylistItem] = field(default_factory=list)
    newest_first: bool = False  # the uploads playlist lists the latest upload first


@dataclass
class UploadSession:
    """One resumable upload: where the server is, and a running hash of what it holds."""

    id: str
    metadata: dict[str, Any]
    total: int | None
    content_type: str
    body: Received = field(default_factory=Received)
    transferred: int = 0  # every body byte that arrived, kept or not
    chunks: int = 0
    queries: int = 0
    video_id: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def received(self) -> int:
        """The bytes the server holds: the next chunk starts here."""
        return self.body.size


@dataclass(frozen=True)
class AuthCode:
    """What the consent page granted, kept until the code is exchanged (once) or expires."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    offline: bool  # a refresh token comes with the exchange
    challenge: str | None  # PKCE
    challenge_method: str
    expires_at: float


class YouTubeApi(PlatformAPI):
    """The sandbox's YouTube: one channel, its uploads playlist and any configured playlists."""

    name = "youtube"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.settings: dict[str, Any] = dict(DEFAULTS)
        self.extra_playlists: dict[str, str] = {}
        self.channel_id = "UC" + self._token_text("channel", 0, 22)
        self.reset()

    # -- framework hooks --------------------------------------------------------------------
    def routes(self) -> list[Route]:
        api = self._api
        return [
            Route.make("GET", AUTH_PATH, self._consent, "oauth.authorize", faultable=False),
            Route.make("POST", "/token", self._token, "token"),
            Route.make("POST", VIDEO_PATH, api(self._start_upload), "videos.insert"),
            Route.make("PUT", VIDEO_PATH, api(self._upload_chunk), "videos.upload"),
            Route.make(
                "POST", "/upload/youtube/v3/thumbnails/set", api(self._thumbnail), "thumbnails.set"
            ),
            Route.make(
                "POST", "/youtube/v3/playlistItems", api(self._add_item), "playlistItems.insert"
            ),
            Route.make(
                "GET", "/youtube/v3/playlistItems", api(self._list_items), "playlistItems.list"
            ),
            Route.make("GET", "/youtube/v3/videos", api(self._list_videos), "videos.list"),
            Route.make("GET", "/youtube/v3/channels", api(self._channels), "channels.list"),
        ]

    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        if route.action == "videos.upload":
            self._count_discarded(request)
        if route.action == "token":
            return self._token_fault(fault)
        if fault.kind == "5xx":
            return ApiError(503, "backendError", "Backend Error").response()
        if fault.kind == "429":
            return ApiError(
                429,
                "rateLimitExceeded",
                "The request cannot be completed because you have exceeded your rate limit.",
                "usageLimits",
                Retry_After=str(fault.retry_after),
            ).response()
        if fault.kind == "expired":
            token = request.bearer_token()
            with self.ctx.lock:
                self.access_tokens.pop(token or "", None)
            return _auth_error().response()
        reason, domain = _PERMANENT_REASON.get(route.action, ("badRequest", "global"))
        return ApiError(400, reason, "The request metadata is invalid.", domain).response()

    def snapshot(self) -> dict[str, Any]:
        with self.ctx.lock:
            return {
                "channel": {"id": self.channel_id, "title": self.settings["channel_title"]},
                "videos": [self._video_state(v) for v in self.videos.values()],
                "playlists": {
                    p.id: {"title": p.title, "video_ids": [i.video_id for i in p.items]}
                    for p in self.playlists.values()
                },
                "quota": self.quota.describe(),
                "uploads_in_progress": sum(1 for s in self.sessions.values() if s.video_id is None),
                "access_tokens_issued": self.tokens_issued,
                "oauth": {
                    "codes_issued": self.codes_issued,
                    "codes_pending": len(self.auth_codes),
                    "refresh_tokens_granted": len(self.granted),
                },
            }

    def reset(self) -> None:
        with self.ctx.lock:
            self.videos: dict[str, Video] = {}
            self.sessions: dict[str, UploadSession] = {}
            self.access_tokens: dict[str, float] = {}
            self.revoked: set[str] = set()  # sha256 of revoked refresh tokens
            self.tokens_issued = 0
            self.auth_codes: dict[str, AuthCode] = {}  # sha256 of the code -> its grant
            self.redeemed: dict[str, str | None] = {}  # code's sha256 -> refresh token's sha256
            self.granted: dict[str, str] = {}  # sha256 of a granted refresh token -> client_id
            self.consented: set[str] = set()  # clients that have had offline access granted
            self.codes_issued = 0
            self.channel_uploads = 0
            self.quota = Quota(self.settings["uploads_per_day"], self.settings["units_per_day"])
            uploads_id = "UU" + self.channel_id[2:]
            self.playlists: dict[str, Playlist] = {
                uploads_id: Playlist(uploads_id, "Uploads", newest_first=True)
            }
            for pid, title in self.extra_playlists.items():
                self.playlists[pid] = Playlist(pid, title)

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """Knobs: quota sizes, token lifetime, client check, consent, playlists, revocations."""
        allowed = [*DEFAULTS, "playlists", "revoke_refresh_tokens"]
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ValueError(f"unknown youtube option(s) {unknown}; allowed: {sorted(allowed)}")
        with self.ctx.lock:
            for key in DEFAULTS:
                if key in options:
                    self.settings[key] = options[key]
            self.quota.uploads_per_day = int(self.settings["uploads_per_day"])
            self.quota.units_per_day = int(self.settings["units_per_day"])
            for pid, title in dict(options.get("playlists", {})).items():
                self.extra_playlists[str(pid)] = str(title)
                self.playlists.setdefault(str(pid), Playlist(str(pid), str(title)))
            for token in options.get("revoke_refresh_tokens", []):
                self.revoked.add(_hash(str(token)))
            shown = {k: v for k, v in self.settings.items() if k != "client_secret"}
            shown["client_secret_set"] = self.settings["client_secret"] is not None
            return {**shown, "playlists": dict(self.extra_playlists)}

    # -- OAuth ------------------------------------------------------------------------------
    def _consent(self, request: Request) -> Response:
        """Google's consent page, consenting at once: a redirect carrying a code (or a refusal).

        Until the client and its redirect URI check out, an error is a page, never a redirect
        (an unchecked redirect URI must not receive anything).
        """
        args = request.args()
        client_id = args.get("client_id")
        if not client_id:
            return _error_page(400, "invalid_request", "Missing required parameter: client_id")
        want_id = self.settings["client_id"]
        if want_id and client_id != want_id:
            return _error_page(401, "invalid_client", "The OAuth client was not found.")
        redirect_uri = args.get("redirect_uri")
        if not redirect_uri:
            return _error_page(400, "invalid_request", "Missing required parameter: redirect_uri")
        if not _is_loopback(redirect_uri):
            return _error_page(
                400,
                "redirect_uri_mismatch",
                "Installed apps must use a loopback redirect URI (http://127.0.0.1:PORT, "
                "http://[::1]:PORT or http://localhost:PORT).",
            )
        problem = _consent_problem(args)
        if problem is not None:
            return _error_page(*problem)
        state = args["state"]
        if self.settings["deny_consent"]:
            return _redirect(redirect_uri, error="access_denied", state=state)
        scopes = tuple(args["scope"].split())
        consent = "consent" in args.get("prompt", "").split()
        offline = args.get("access_type") == "offline"
        challenge = args.get("code_challenge")
        with self.ctx.lock:
            # Google sends a refresh token on a client's first offline consent, and after that
            # only when prompt=consent asks the user again.
            refreshable = offline and (consent or client_id not in self.consented)
            if offline:
                self.consented.add(client_id)
            code = "4/0Sbx" + self._token_text("code", self.ctx.next_id(), 40)
            self.codes_issued += 1
            self.auth_codes[_hash(code)] = AuthCode(
                client_id=client_id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                offline=refreshable,
                challenge=challenge,
                challenge_method=args.get("code_challenge_method") or "plain",
                expires_at=self.ctx.now() + AUTH_CODE_TTL,
            )
        return _redirect(redirect_uri, state=state, code=code, scope=" ".join(scopes))

    def _token(self, request: Request) -> Response:
        form = request.form()
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "Only authorization_code and refresh_token are served.",
            )
        client_id, secret = _client_credentials(request, form)
        if grant == "authorization_code":
            return self._exchange_code(form, client_id, secret)
        refresh = form.get("refresh_token")
        if not client_id or not secret or not refresh:
            return _oauth_error(
                400, "invalid_request", "client_id, client_secret and refresh_token are required."
            )
        refused = self._client_refusal(client_id, secret)
        if refused is not None:
            return refused
        with self.ctx.lock:
            if _hash(refresh) in self.revoked:
                return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            owner = self.granted.get(_hash(refresh))
            if owner is not None and owner != client_id:
                return _oauth_error(400, "unauthorized_client", "Unauthorized")
            token, ttl = self._issue_access_token()
        return Response.json(
            {
                "access_token": token,
                "expires_in": ttl,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/youtube",
            }
        )

    def _exchange_code(
        self, form: dict[str, str], client_id: str | None, secret: str | None
    ) -> Response:
        """grant_type=authorization_code: one use per code, same client and redirect_uri, and
        the PKCE verifier when the consent request carried a challenge."""
        if not client_id:
            return _oauth_error(
                400, "invalid_request", "Could not determine client ID from request."
            )
        if not secret:
            return _oauth_error(400, "invalid_request", "client_secret is missing.")
        refused = self._client_refusal(client_id, secret)
        if refused is not None:
            return refused
        code, redirect_uri = form.get("code"), form.get("redirect_uri")
        if not code:
            return _oauth_error(400, "invalid_request", "Missing required parameter: code")
        if not redirect_uri:
            return _oauth_error(400, "invalid_request", "Missing parameter: redirect_uri")
        key = _hash(code)
        with self.ctx.lock:
            grant = self.auth_codes.pop(key, None)
            if grant is None:
                replayed = self.redeemed.get(key)
                if replayed is not None:  # a code seen twice: what it gave is revoked
                    self.revoked.add(replayed)
                return _oauth_error(400, "invalid_grant", "Bad Request")
            self.redeemed[key] = None
            if grant.expires_at <= self.ctx.now() or grant.client_id != client_id:
                return _oauth_error(400, "invalid_grant", "Bad Request")
            if redirect_uri != grant.redirect_uri:
                return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
            if grant.challenge is not None:
                verifier = form.get("code_verifier")
                if not verifier:
                    return _oauth_error(400, "invalid_grant", "Missing code verifier.")
                if _pkce_challenge(verifier, grant.challenge_method) != grant.challenge:
                    return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
            token, ttl = self._issue_access_token()
            body: dict[str, Any] = {
                "access_token": token,
                "expires_in": ttl,
                "scope": " ".join(grant.scopes),
                "token_type": "Bearer",
            }
            if grant.offline and self.settings["issue_refresh_tokens"]:
                refresh = "1//0Sbx" + self._token_text("refresh", self.ctx.next_id(), 40)
                self.granted[_hash(refresh)] = client_id
                self.redeemed[key] = _hash(refresh)
                body["refresh_token"] = refresh
        return Response.json(body)

    def _client_refusal(self, client_id: str, secret: str) -> Response | None:
        """Google's answer for a client it does not know or a secret that is not the client's;
        None when the sandbox is not configured to check them, or they match."""
        want_id, want_secret = self.settings["client_id"], self.settings["client_secret"]
        if want_id and client_id != want_id:
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if want_secret and secret != want_secret:
            return _oauth_error(401, "invalid_client", "Unauthorized")
        return None

    def _issue_access_token(self) -> tuple[str, int]:
        """A new access token and its lifetime; the caller holds the lock."""
        self.tokens_issued += 1
        token = "ya29.sandbox-" + self._token_text("access", self.ctx.next_id(), 32)
        ttl = int(self.settings["access_token_ttl"])
        self.access_tokens[token] = self.ctx.now() + ttl
        return token, ttl

    def _token_fault(self, fault: Fault) -> Response:
        if fault.kind == "expired":
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        if fault.kind == "permanent":
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if fault.kind == "429":
            return _oauth_error(429, "rate_limit_exceeded", "Too many token requests.")
        return _oauth_error(503, "internal_failure", "Backend Error")

    def _api(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Wrap an API handler: check the bearer token, turn ApiError into Google's shape."""

        def run(request: Request) -> Response:
            try:
                self._authorize(request)
                return handler(request)
            except ApiError as exc:
                return exc.response()

        return run

    def _authorize(self, request: Request) -> None:
        token = request.bearer_token()
        with self.ctx.lock:
            expires = self.access_tokens.get(token or "")
            if expires is None or expires <= self.ctx.now():
                raise _auth_error()

    # -- videos.insert, resumable ------------------------------------------------------------
    def _start_upload(self, request: Request) -> Response:
        if request.arg("uploadType") != "resumable":
            raise ApiError(400, "badRequest", "The sandbox takes videos only as resumable uploads.")
        parts = _parts(request)
        try:
            body = request.json()
        except ValueError:
            raise ApiError(400, "parseError", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "invalidVideoMetadata", "The request metadata is missing.")
        declared = request.header("X-Upload-Content-Length")
        total = int(declared) if declared and declared.isdigit() else None
        if total == 0:
            raise ApiError(400, "mediaBodyRequired", "The request does not include the video.")
        with self.ctx.lock:
            self.quota.charge(self.ctx.now(), upload=True)
            metadata = _validate_metadata(body, parts, self.ctx.now())
            limit = self.settings["channel_upload_limit"]
            if limit is not None and self.channel_uploads >= int(limit):
                raise ApiError(
                    400,
                    "uploadLimitExceeded",
                    "The user has exceeded the number of videos they may upload.",
                    "youtube.video",
                )
            sid = self._token_text("session", self.ctx.next_id(), 24)
            content_type = request.header("X-Upload-Content-Type") or "application/octet-stream"
            self.sessions[sid] = UploadSession(sid, metadata, total, content_type)
        location = f"{self.ctx.base_url}{VIDEO_PATH}?uploadType=resumable&upload_id={sid}"
        return Response.empty(200, {"Location": location, "X-GUploader-UploadID": sid})

    def _upload_chunk(self, request: Request) -> Response:
        session = self._session(request)
        with session.lock:
            if session.video_id is not None:  # finished: answer with the video again
                session.transferred += _drain_count(request)
                return self._video_response(session.video_id)
            m = _CONTENT_RANGE.match(request.header("Content-Range") or "")
            if m is None:
                raise ApiError(400, "badRequest", "Content-Range must be 'bytes a-b/total'.")
            first, last, total_text = m.groups()
            total = None if total_text == "*" else int(total_text)
            if total is not None and session.total is not None and total != session.total:
                raise ApiError(
                    400,
                    "badRequest",
                    f"Content-Range total {total} is not the declared length {session.total}.",
                )
            session.total = session.total if total is None else total
            if first is None:  # a status query: where is the server?
                session.queries += 1
                return self._progress(session)
            return self._store_chunk(request, session, int(first), int(last))

    def _store_chunk(
        self, request: Request, session: UploadSession, first: int, last: int
    ) -> Response:
        if last < first or request.content_length != last - first + 1:
            raise ApiError(400, "badRequest", "Content-Length does not match Content-Range.")
        if session.total is not None and last >= session.total:
            raise ApiError(400, "badRequest", "Content-Range goes past the declared length.")
        session.chunks += 1
        if first > session.received:
            session.transferred += _drain_count(request)
            raise ApiError(
                400,
                "badRequest",
                f"Content-Range starts at {first} but the server holds {session.received} "
                "bytes; query the upload status and resume from there.",
            )
        # Bytes before the server's offset are held already (a resent chunk): not kept twice.
        held = session.received - first
        session.transferred += session.body.absorb(request.stream(256 * 1024), skip=held)
        if session.total is not None and session.received == session.total:
            return self._finish(session)
        return self._progress(session)

    def _progress(self, session: UploadSession) -> Response:
        if session.video_id is not None:
            return self._video_response(session.video_id)
        headers = {"Range": f"bytes=0-{session.received - 1}"} if session.received else {}
        return Response.empty(308, headers)

    def _finish(self, session: UploadSession) -> Response:
        meta = session.metadata
        with self.ctx.lock:
            now = self.ctx.now()
            video = Video(
                id=self._video_id(),
                title=meta["title"],
                description=meta["description"],
                tags=meta["tags"],
                category_id=meta["category_id"],
                privacy=meta["privacy"],
                publish_at=meta["publish_at"],
                made_for_kids=meta["made_for_kids"],
                created_at=now,
                content_type=session.content_type,
                bytes_received=session.received,
                sha256=session.body.sha256,
                session=session,
            )
            self.videos[video.id] = video
            self.channel_uploads += 1
            session.video_id = video.id
            self._insert_item(self.uploads_playlist, video, now)
        return self._video_response(video.id)

    def _session(self, request: Request) -> UploadSession:
        with self.ctx.lock:
            session = self.sessions.get(request.arg("upload_id") or "")
        if session is None:
            raise ApiError(404, "notFound", "No upload session with this upload_id.")
        return session

    def _count_discarded(self, request: Request) -> None:
        """Bytes of a chunk answered by a fault still crossed the wire: count them."""
        with self.ctx.lock:
            session = self.sessions.get(request.arg("upload_id") or "")
        if session is not None:
            with session.lock:
                session.transferred += request.content_length

    def _video_response(self, video_id: str) -> Response:
        with self.ctx.lock:
            video = self.videos[video_id]
            return Response.json(self._resource(video, {"snippet", "status"}))

    # -- thumbnails, playlists, reads --------------------------------------------------------
    def _thumbnail(self, request: Request) -> Response:
        if request.arg("uploadType") not in ("media", None):
            raise ApiError(400, "badRequest", "The sandbox takes thumbnails as uploadType=media.")
        video = self._owned_video(request.arg("videoId"))
        if request.content_type not in THUMBNAIL_TYPES:
            raise ApiError(
                400, "invalidImage", "The thumbnail must be JPEG or PNG.", "youtube.thumbnail"
            )
        with self.ctx.lock:
            self.quota.charge(self.ctx.now(), units=COST_WRITE)
        image = received(request.stream())
        if image.size == 0:
            raise ApiError(
                400, "mediaBodyRequired", "The request has no image.", "youtube.thumbnail"
            )
        if image.size > int(self.settings["max_thumbnail_bytes"]):
            raise ApiError(
                400, "invalidImage", "The thumbnail is larger than allowed.", "youtube.thumbnail"
            )
        with self.ctx.lock:
            video.thumbnail_bytes, video.thumbnail_sha256 = image.size, image.sha256
        url = f"https://i.ytimg.com/vi/{video.id}/default.jpg"
        return Response.json(
            {
                "kind": "youtube#thumbnailSetResponse",
                "items": [{"default": {"url": url, "width": 120, "height": 90}}],
            }
        )

    def _add_item(self, request: Request) -> Response:
        parts = _parts(request)
        body = request.json() if request.content_length else None
        snippet = body.get("snippet") if isinstance(body, dict) else None
        if not isinstance(snippet, dict):
            raise ApiError(400, "required", "snippet is required.", "youtube.playlistItem")
        resource = snippet.get("resourceId") or {}
        with self.ctx.lock:
            self.quota.charge(self.ctx.now(), units=COST_WRITE)
            playlist = self.playlists.get(str(snippet.get("playlistId")))
            if playlist is None:
                raise ApiError(
                    404, "playlistNotFound", "The playlist cannot be found.", "youtube.playlistItem"
                )
            if playlist.newest_first:
                raise ApiError(
                    403,
                    "playlistOperationUnsupported",
                    "The uploads playlist cannot be changed.",
                    "youtube.playlistItem",
                )
            video = self._owned_video(resource.get("videoId"))
            item = self._insert_item(playlist, video, self.ctx.now())
            return Response.json(self._item_resource(playlist, item, parts))

    def _list_items(self, request: Request) -> Response:
        parts = _parts(request)
        with self.ctx.lock:
            self.quota.charge(self.ctx.now(), units=COST_READ)
            playlist = self.playlists.get(request.arg("playlistId") or "")
            if playlist is None:
                raise ApiError(
                    404, "playlistNotFound", "The playlist cannot be found.", "youtube.playlistItem"
                )
            items = list(reversed(playlist.items)) if playlist.newest_first else playlist.items
            page, next_token = _page(items, request)
            body: dict[str, Any] = {
                "kind": "youtube#playlistItemListResponse",
                "items": [self._item_resource(playlist, i, parts) for i in page],
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(page)},
            }
        if next_token:
            body["nextPageToken"] = next_token
        return Response.json(body)

    def _list_videos(self, request: Request) -> Response:
        parts = _parts(request)
        ids = [i for i in (request.arg("id") or "").split(",") if i]
        if not ids:
            raise ApiError(400, "missingRequiredParameter", "No filter selected: give id.")
        with self.ctx.lock:
            self.quota.charge(self.ctx.now(), units=COST_READ)
            items = [self._resource(self.videos[i], parts) for i in ids if i in self.videos]
        return Response.json(
            {
                "kind": "youtube#videoListResponse",
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            }
        )

    def _channels(self, request: Request) -> Response:
        parts = _parts(request)
        if request.arg("mine") != "true" and request.arg("id") != self.channel_id:
            raise ApiError(400, "missingRequiredParameter", "No filter selected: give mine=true.")
        with self.ctx.lock:
            self.quota.charge(self.ctx.now(), units=COST_READ)
            channel: dict[str, Any] = {"kind": "youtube#channel", "id": self.channel_id}
            if "snippet" in parts:
                channel["snippet"] = {"title": self.settings["channel_title"], "description": ""}
            if "contentDetails" in parts:
                uploads = self.uploads_playlist.id
                channel["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": uploads}}
        return Response.json(
            {
                "kind": "youtube#channelListResponse",
                "items": [channel],
                "pageInfo": {"totalResults": 1, "resultsPerPage": 1},
            }
        )

    # -- helpers -----------------------------------------------------------------------------
    @property
    def uploads_playlist(self) -> Playlist:
        return self.playlists["UU" + self.channel_id[2:]]

    def _owned_video(self, video_id: object) -> Video:
        with self.ctx.lock:
            video = self.videos.get(str(video_id or ""))
        if video is None:
            raise ApiError(404, "videoNotFound", "The video cannot be found.", "youtube.video")
        return video

    def _insert_item(self, playlist: Playlist, video: Video, now: float) -> PlaylistItem:
        item_id = "UEx" + self._token_text("item", self.ctx.next_id(), 29)
        item = PlaylistItem(item_id, video.id, now)
        playlist.items.append(item)
        if playlist.id not in video.playlist_ids:
            video.playlist_ids.append(playlist.id)
        return item

    def _resource(self, video: Video, parts: set[str]) -> dict[str, Any]:
        return video.resource(parts, self.channel_id, self.settings["channel_title"])

    def _item_resource(
        self, playlist: Playlist, item: PlaylistItem, parts: set[str]
    ) -> dict[str, Any]:
        video = self.videos[item.video_id]
        out: dict[str, Any] = {"kind": "youtube#playlistItem", "id": item.id}
        if "snippet" in parts:
            out["snippet"] = {
                "publishedAt": _rfc3339(item.added_at),
                "channelId": self.channel_id,
                "title": video.title,
                "description": video.description,
                "playlistId": playlist.id,
                "position": playlist.items.index(item),
                "resourceId": {"kind": "youtube#video", "videoId": video.id},
            }
        if "contentDetails" in parts:
            out["contentDetails"] = {
                "videoId": video.id,
                "videoPublishedAt": _rfc3339(video.created_at),
            }
        if "status" in parts:
            out["status"] = {"privacyStatus": video.privacy}
        return out

    def _video_state(self, v: Video) -> dict[str, Any]:
        return {
            "id": v.id,
            "title": v.title,
            "description": v.description,
            "tags": list(v.tags),
            "category_id": v.category_id,
            "privacy": v.privacy,
            "publish_at": v.publish_at,
            "made_for_kids": v.made_for_kids,
            "content_type": v.content_type,
            "bytes_received": v.bytes_received,
            "sha256": v.sha256,
            "upload": {
                "bytes_transferred": v.session.transferred,
                "chunks": v.session.chunks,
                "status_queries": v.session.queries,
            },
            "thumbnail_bytes": v.thumbnail_bytes,
            "thumbnail_sha256": v.thumbnail_sha256,
            "playlist_ids": list(v.playlist_ids),
        }

    def _video_id(self) -> str:
        return self._token_text("video", self.ctx.next_id(), 11)

    def _token_text(self, kind: str, n: int, length: int) -> str:
        """A deterministic id of YouTube's alphabet (base64url), from the seed and a counter."""
        raw = hashlib.sha256(f"{self.ctx.seed}:{kind}:{n}".encode()).digest()
        return base64.urlsafe_b64encode(raw).decode("ascii")[:length]


def _validate_metadata(body: dict[str, Any], parts: set[str], now: float) -> dict[str, Any]:
    """YouTube's checks on a new video's snippet and status; return the values to keep."""
    snippet = body.get("snippet") if "snippet" in parts else None
    status = (body.get("status") if "status" in parts else None) or {}
    if not isinstance(snippet, dict) or not isinstance(status, dict):
        raise _metadata_error("invalidVideoMetadata", "snippet (with a title) is required.")
    title = snippet.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _metadata_error("invalidTitle", "The video title is empty.")
    if len(title) > 100 or "<" in title or ">" in title:
        raise _metadata_error("invalidTitle", "The title is over 100 characters or has < or >.")
    description = snippet.get("description") or ""
    if not isinstance(description, str):
        raise _metadata_error("invalidDescription", "The description must be a string.")
    if len(description.encode("utf-8")) > 5000 or "<" in description or ">" in description:
        raise _metadata_error(
            "invalidDescription", "The description is over 5000 bytes or has < or >."
        )
    tags = snippet.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _metadata_error("invalidTags", "tags must be a list of strings.")
    if tags_length(tags) > 500:
        raise _metadata_error("invalidTags", "The tags are over 500 characters in total.")
    category = str(snippet.get("categoryId") or "22")
    if category not in CATEGORY_IDS:
        raise _metadata_error("invalidCategoryId", f"Unknown category {category!r}.")
    privacy = status.get("privacyStatus") or "public"
    if privacy not in PRIVACY_STATUSES:
        raise _metadata_error("invalidVideoMetadata", f"Unknown privacyStatus {privacy!r}.")
    publish_at = status.get("publishAt")
    if publish_at is not None:
        when = _parse_time(str(publish_at))
        if privacy != "private" or when is None or when.timestamp() <= now:
            raise _metadata_error(
                "invalidPublishAt",
                "publishAt must be an RFC 3339 time in the future, with privacyStatus private.",
            )
    return {
        "title": title,
        "description": description,
        "tags": list(tags),
        "category_id": category,
        "privacy": privacy,
        "publish_at": publish_at,
        "made_for_kids": bool(status.get("selfDeclaredMadeForKids", False)),
    }


def _metadata_error(reason: str, message: str) -> ApiError:
    return ApiError(400, reason, message, "youtube.video")


def _auth_error() -> ApiError:
    return ApiError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        WWW_Authenticate='Bearer realm="https://accounts.google.com/"',
    )


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status=status)


def _error_page(status: int, error: str, description: str) -> Response:
    """The consent page's error, shown to the user as Google shows it (an HTML page)."""
    text = f"Error {status}: {error}"
    page = (
        f"<!doctype html><title>{text}</title><h1>Access blocked: authorization error</h1>"
        f"<p>{html.escape(description)}</p><p>{text}</p>"
    )
    return Response(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def _redirect(redirect_uri: str, **params: str) -> Response:
    """A 302 to the client's redirect URI with `params` added to its query."""
    sep = "&" if urlsplit(redirect_uri).query else "?"
    return Response.empty(302, {"Location": redirect_uri + sep + urlencode(params)})


def _is_loopback(uri: str) -> bool:
    """An installed app's redirect URI: plain http to a loopback host, any port, no fragment."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.fragment


def _consent_problem(args: dict[str, str]) -> tuple[int, str, str] | None:
    """What is wrong with a consent request once its client and redirect URI are known good."""
    response_type = args.get("response_type")
    if not response_type:
        return 400, "invalid_request", "Missing required parameter: response_type"
    if response_type != "code":
        return 400, "unsupported_response_type", f"Invalid response_type: {response_type}"
    scopes = args.get("scope", "").split()
    if not scopes:
        return 400, "invalid_request", "Missing required parameter: scope"
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        return 400, "invalid_scope", f"Some requested scopes were invalid. {{invalid={unknown}}}"
    if not args.get("state"):
        return 400, "invalid_request", "Missing required parameter: state (a sandbox rule)"
    access_type = args.get("access_type", "online")
    if access_type not in ("online", "offline"):
        return 400, "invalid_request", f"Invalid access_type: {access_type}"
    method = args.get("code_challenge_method")
    if method is not None and method not in ("S256", "plain"):
        return 400, "invalid_request", f"Invalid code_challenge_method: {method}"
    if method is not None and not args.get("code_challenge"):
        return 400, "invalid_request", "Missing code_challenge."
    return None


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """The client's id and secret: from HTTP Basic (requests-oauthlib's way) or the form
    (google-auth's way); Google takes either."""
    basic = request.token("Basic")
    if basic:
        try:
            decoded = base64.b64decode(basic, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id or None, secret or None
    return form.get("client_id"), form.get("client_secret")


def _pkce_challenge(verifier: str, method: str) -> str:
    """RFC 7636: S256 is the unpadded base64url SHA-256 of the verifier; plain is itself."""
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _page(items: list[PlaylistItem], request: Request) -> tuple[list[PlaylistItem], str | None]:
    """maxResults (0-50, default 5) and an opaque pageToken holding the offset."""
    try:
        size = int(request.arg("maxResults") or 5)
        token = request.arg("pageToken")
        start = int(json.loads(base64.urlsafe_b64decode(token))["o"]) if token else 0
    except (ValueError, KeyError, TypeError):
        raise ApiError(
            400, "invalidPageToken", "The page token or maxResults is invalid."
        ) from None
    if not 0 <= size <= 50:
        raise ApiError(400, "invalidParameter", "maxResults must be between 0 and 50.")
    end = start + size
    more = end < len(items)
    token_out = base64.urlsafe_b64encode(json.dumps({"o": end}).encode()).decode() if more else None
    return items[start:end], token_out


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
