"""What a page handler is given: the request, who is signed in, the parsed form, and the means
to answer (a rendered template or a redirect). Handlers are plain functions of a `Page`."""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from crosspost.web.security import CSRF_FIELD, LoginThrottle, SessionStore, WebSession
from crosspost.web.texts import LANGUAGES, t

if TYPE_CHECKING:
    from jinja2 import Environment
    from sqlalchemy.orm import Session, sessionmaker

    from crosspost.config import Config

log = logging.getLogger("crosspost.web")
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the pages see them (no hash, nothing secret)."""

    user_id: int
    name: str
    role: str
    unit: str | None

    def sees_unit(self, unit: str | None) -> bool:
        """A contributor sees its own unit's items only; every other role sees all."""
        return self.role != "contributor" or (unit is not None and unit == self.unit)


@dataclass
class WebState:
    """What every request shares: the config, the database, sessions and the throttle."""

    config: Config
    factory: sessionmaker[Session]
    templates: Environment
    secure_cookies: bool = False
    sessions: SessionStore = field(default_factory=SessionStore)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


def template_environment() -> Environment:
    """Jinja with autoescaping on for every template: no text reaches a page unescaped."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from crosspost.cli.views import plain, when

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = t
    env.filters["when"] = when
    env.filters["plain"] = plain
    return env


@dataclass
class Page:
    request: Request
    state: WebState
    session: WebSession | None
    viewer: Viewer | None
    form: Mapping[str, list[str]] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, list[UploadFile]] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.state.config

    @property
    def language(self) -> str:
        return self.session.language if self.session else "vi"

    def t(self, key: str, **values: object) -> str:
        """A text in the session's language."""
        return t(key, self.language, **values)

    def field(self, name: str) -> str:
        values = self.form.get(name) or [""]
        return values[0]

    def int_param(self, name: str) -> int:
        """A path parameter that must be an id; anything else is a page that does not exist."""
        from crosspost.errors import NotFoundError

        text = self.params.get(name, "")
        if not text.isdigit() or len(text) > 18:
            raise NotFoundError(self.t("error.not_found"))
        return int(text)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("here", self.here())
        return render(self.state, template, self.session, self.viewer, status, **context)

    def here(self) -> str:
        """Where the language switch comes back to: this page, or after a form, where the
        form would have gone next (a POST address cannot be opened again)."""
        url = self.request.url
        if self.request.method == "GET":
            return url.path + (f"?{url.query}" if url.query else "")
        target = self.field("next")
        return target if target.startswith("/") and not target.startswith("//") else "/"

    def redirect(self, path: str) -> Response:
        return RedirectResponse(path, status_code=303)


def render(
    state: WebState,
    template: str,
    session: WebSession | None,
    viewer: Viewer | None,
    status: int = 200,
    **context: Any,
) -> Response:
    """A page from its template, with the CSRF token its forms carry and who is signed in."""
    context = {"notice": None, "message": None, "name": "", "here": "/", **context}
    language = session.language if session else "vi"
    html = state.templates.get_template(template).render(
        t=partial(t, language=language),
        lang=language,
        languages=LANGUAGES,
        csrf_field=CSRF_FIELD,
        csrf=session.csrf if session else "",
        viewer=viewer,
        zone=state.config.timezone,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def log_unexpected(exc: BaseException, path: str) -> str:
    """Log where an unforeseen error broke, under a reference the page shows; never the
    exception's text (a database error can quote the values of its statement)."""
    ref = secrets.token_hex(4)
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unexpected %s on %s (ref %s)\n%s", type(exc).__name__, path, ref, frames)
    return ref
