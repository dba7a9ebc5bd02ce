"""Load and validate `config/crosspost.toml`: one clear line per problem, naming file and key.

Found via `--config`, then `$CROSSPOST_CONFIG`, then `config/crosspost.toml` under the current
directory. `$CROSSPOST_DATABASE_URL` overrides the database. Relative paths in the file are
relative to the file's own folder, so the same config works from any working directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from crosspost.adapters.base import Adapter, Platform, SettingSpec
from crosspost.config_costs import read_pricing
from crosspost.config_reader import Reader, expected_type
from crosspost.costs import Pricing
from crosspost.errors import ConfigError, Problems, UserError
from crosspost.timeutil import DEFAULT_HORIZON_DAYS, load_zone

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

DEFAULT_CONFIG = Path("config/crosspost.toml")
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

# Keys every account takes, whatever its platform.
COMMON_ACCOUNT_KEYS = {
    "platform",
    "adapter",
    "enabled",
    "credentials",
    "display_name",
    "budget",
    "cost",  # [accounts.NAME.cost]: prices per post and a monthly spend cap (config_costs.py)
}

# Budget windows an account may cap ([accounts.NAME.budget]); per_day counts the platform's
# own day where its adapter names a zone (YouTube: midnight Pacific), else a rolling 24 h.
BUDGET_WINDOWS: Mapping[str, int] = {
    "per_minute": 60,
    "per_15_minutes": 15 * 60,
    "per_hour": 3600,
    "per_day": 86400,
}

# Rendering settings every account takes (see crosspost.render); a platform's own are in its
# adapter's settings_spec.
RENDER_SETTINGS: Mapping[str, SettingSpec] = {
    "template_dir": SettingSpec(str, "a folder of <platform>/<kind>.j2 templates checked first"),
    "utm": SettingSpec(dict, "UTM parameters added to links, e.g. {utm_source = 'x'}"),
}


def _bounded(default: float, minimum: float, maximum: float) -> Any:
    """A numeric setting with its allowed range (an int default makes it an integer setting)."""
    return field(default=default, metadata={"range": (minimum, maximum)})


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = _bounded(4, 1, 256)
    lease_seconds: float = _bounded(300.0, 5, 86400)
    heartbeat_seconds: float = _bounded(30.0, 1, 3600)
    poll_seconds: float = _bounded(1.0, 0.05, 600)
    reconcile_seconds: float = _bounded(15.0, 0.1, 3600)
    grace_seconds: float = _bounded(30.0, 0, 3600)


@dataclass(frozen=True)
class RetrySettings:
    max_attempts: int = _bounded(6, 1, 100)
    base_seconds: float = _bounded(30.0, 0, 86400)
    max_delay_seconds: float = _bounded(3600.0, 0, 7 * 86400)
    max_age_hours: float = _bounded(48.0, 0.01, 24 * 365)
    unknown_alert_minutes: float = _bounded(30.0, 1, 10080)


MIB = 1024 * 1024


@dataclass(frozen=True)
class UploadSettings:
    """Caps on what the units' portal accepts (crosspost/intake/uploads.py): a request past
    them is refused unread, a zip past them refused before a byte is unpacked."""

    max_file_bytes: int = _bounded(512 * MIB, 1024, 64 * 1024 * MIB)
    max_request_bytes: int = _bounded(1024 * MIB, 1024, 64 * 1024 * MIB)
    max_zip_entries: int = _bounded(200, 1, 100_000)
    max_unpacked_bytes: int = _bounded(2048 * MIB, 1024, 256 * 1024 * MIB)
    max_zip_ratio: int = _bounded(100, 2, 100_000)  # unpacked / packed, per entry


@dataclass(frozen=True)
class WindowSettings:
    """When an account's posts may be planned (used by `crosspost plan`)."""

    slots_per_day: int = _bounded(4, 1, 96)
    hours: tuple[str, ...] = ("07:00-21:00",)
    min_gap_minutes: int = _bounded(60, 0, 1440)


@dataclass(frozen=True)
class Budget:
    """How many posts an account may start per window, so the worker stays under the
    platform's limits instead of meeting its 429s (crosspost/budgets.py, posts/gate.py)."""

    limits: Mapping[str, int] = field(default_factory=dict)  # BUDGET_WINDOWS key -> posts
    day_zone: str | None = None  # per_day is this zone's calendar day, not a rolling 24 h
    # What each post costs and the monthly spend cap the gate also keeps (crosspost/costs.py).
    pricing: Pricing | None = None
    # Windows counting only the account's posts that carry a video (Facebook Reels), rolling.
    video_limits: Mapping[str, int] = field(default_factory=dict)

    @property
    def gates(self) -> bool:
        """Whether the claim-time gate has anything to keep: a window or a spend cap."""
        return (
            bool(self.limits)
            or bool(self.video_limits)
            or (self.pricing is not None and self.pricing.monthly_cap is not None)
        )

    @property
    def per_day(self) -> int | None:
        return self.limits.get("per_day")


@dataclass(frozen=True)
class AccountSettings:
    name: str
    platform: Platform
    adapter: str | None
    enabled: bool
    settings: Mapping[str, Any]
    # credential name -> reference ("env:VAR" or "secrets"), never the value itself
    credentials: Mapping[str, str]
    budget: Budget = field(default_factory=Budget)


@dataclass(frozen=True)
class Config:
    path: Path | None
    timezone: ZoneInfo
    database_url: str
    data_dir: Path
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    windows: Mapping[str, WindowSettings] = field(default_factory=dict)
    accounts: Mapping[str, AccountSettings] = field(default_factory=dict)
    notify_urls: tuple[str, ...] = ()
    horizon_days: int = DEFAULT_HORIZON_DAYS  # how far ahead --at may reach
    # Where database_url came from, for messages: a key of the file or an environment variable.
    database_origin: str = "[crosspost] database_url"

    @property
    def secrets_path(self) -> Path:
        return self.data_dir / "secrets.toml"

    @property
    def media_cache_dir(self) -> Path:
        return self.data_dir / "media-cache"

    def account(self, name: str) -> AccountSettings:
        try:
            return self.accounts[name]
        except KeyError:
            known = ", ".join(sorted(self.accounts)) or "none configured"
            raise UserError(f"unknown account {name!r}; known accounts: {known}") from None

    def accounts_for(self, platform: Platform) -> list[AccountSettings]:
        return [a for a in self.accounts.values() if a.platform == platform and a.enabled]


# ---------------------------------------------------------------------------------------------


class ConfigProblems(Problems, ConfigError):
    """Several problems in one file: all of them, one line each, so one edit fixes them."""


def _numbers(reader: Reader, cls: type[DataclassInstance]) -> dict[str, Any]:
    """Every bounded field of a settings dataclass, read with its default and range."""
    values = {}
    for f in fields(cls):
        if "range" in f.metadata:
            minimum, maximum = f.metadata["range"]
            default: float = f.default  # type: ignore[assignment]  # bounded fields have one
            values[f.name] = reader.number(
                f.name,
                default,
                minimum=minimum,
                maximum=maximum,
                integer=isinstance(default, int),
            )
    return values


def _section(top: Reader, name: str, cls: type[T]) -> T:
    reader = top.child(name, top.table_of(name))
    reader.only({f.name for f in fields(cls)})
    return cls(**_numbers(reader, cls))


def _uploads(top: Reader) -> UploadSettings:
    """[uploads]: each cap in range, and a file no larger than the request that carries it."""
    uploads = _section(top, "uploads", UploadSettings)
    if uploads.max_file_bytes > uploads.max_request_bytes:
        top.child("uploads", {}).fail(
            "max_file_bytes",
            f"{uploads.max_file_bytes} is more than max_request_bytes "
            f"({uploads.max_request_bytes}); a file comes inside one request: lower it",
        )
    return uploads


def _windows(top: Reader) -> dict[str, WindowSettings]:
    windows: dict[str, WindowSettings] = {}
    for name, table in top.table_of("windows").items():
        if not isinstance(table, dict):
            top.child("windows", {}).fail(name, "must be a table")
            continue
        r = top.child(f"windows.{name}", table)
        r.only({f.name for f in fields(WindowSettings)})
        hours = table.get("hours", list(WindowSettings.hours))
        if not isinstance(hours, list) or not all(_is_hour_range(h) for h in hours):
            r.fail("hours", f"{hours!r} must be a list of 'HH:MM-HH:MM' ranges")
            hours = list(WindowSettings.hours)
        windows[name] = WindowSettings(hours=tuple(hours), **_numbers(r, WindowSettings))
    return windows


def _is_hour_range(value: object) -> bool:
    if not isinstance(value, str) or value.count("-") != 1:
        return False
    start, end = value.split("-")
    return all(_is_hhmm(p) for p in (start, end)) and start < end


def _is_hhmm(text: str) -> bool:
    parts = text.split(":")
    return (
        len(parts) == 2
        and all(p.isdigit() and len(p) == 2 for p in parts)
        and int(parts[0]) < 24
        and int(parts[1]) < 60
    )


def _account(
    top: Reader, name: str, table: Mapping[str, Any], base: Path
) -> AccountSettings | None:
    """The account's settings, or None when its platform or adapter is wrong (its other keys
    cannot be judged without them); every problem is noted either way."""
    r = top.child(f"accounts.{name}", table)
    platform_name = r.string("platform")
    allowed = ", ".join(p.value for p in Platform)
    if platform_name is None:
        if "platform" not in table:
            r.fail("platform", f"is required; one of {allowed}")
        return None
    try:
        platform = Platform(platform_name)
    except ValueError:
        r.fail("platform", f"{platform_name!r} is not one of {allowed}")
        return None
    adapter = r.string("adapter")
    adapter_cls = _adapter_class(r, platform, adapter)
    if adapter_cls is None:
        return None
    spec = {**RENDER_SETTINGS, **adapter_cls.settings_spec}
    r.only(COMMON_ACCOUNT_KEYS | set(spec))
    settings: dict[str, Any] = {}
    for key, setting in spec.items():
        if key not in table:
            if setting.required:
                r.fail(key, f"is required for {platform} accounts ({setting.help})")
            continue
        value = table[key]
        if not isinstance(value, setting.type) or (
            isinstance(value, bool) and setting.type in (int, float, (int, float))
        ):
            r.fail(key, f"{expected_type(key, value, setting.type)} ({setting.help})")
            continue
        if setting.choices is not None and value not in setting.choices:
            choices = ", ".join(map(str, setting.choices))
            r.fail(key, f"{value!r} is not one of {choices}")
            continue
        settings[key] = value
    if isinstance(settings.get("template_dir"), str):
        settings["template_dir"] = str(_resolve(base, settings["template_dir"]))
    credentials: dict[str, str] = {}
    refs = r.child(f"accounts.{name}.credentials", {})
    for cred_name, ref in r.table_of("credentials").items():
        if not isinstance(ref, str) or not (ref.startswith("env:") or ref == "secrets"):
            refs.fail(
                cred_name,
                "must be 'env:VARIABLE' or 'secrets' (the secrets file); never the credential "
                "itself",
            )
            continue
        credentials[cred_name] = ref
    return AccountSettings(
        name=name,
        platform=platform,
        adapter=adapter,
        enabled=r.boolean("enabled", True),
        settings=settings,
        credentials=credentials,
        budget=replace(
            _budget(r.child(f"accounts.{name}.budget", r.table_of("budget")), adapter_cls),
            pricing=read_pricing(r.child(f"accounts.{name}.cost", r.table_of("cost")), adapter_cls),
            video_limits=_video_budget(adapter_cls, settings),
        ),
    )


def _adapter_class(r: Reader, platform: Platform, adapter: str | None) -> type[Adapter] | None:
    from crosspost.adapters.registry import AdapterLoadError, adapter_class

    try:
        return adapter_class(platform, adapter)
    except AdapterLoadError as exc:
        r.fail("adapter", str(exc))
        return None


def _budget(r: Reader, adapter_cls: type[Adapter]) -> Budget:
    """The adapter's default budget (the platform's documented limits), lowered or raised by
    the account's [accounts.NAME.budget] table; 0 removes a window."""
    r.only(set(BUDGET_WINDOWS))
    limits = dict(adapter_cls.default_budget)
    for key in r.data:
        if key in BUDGET_WINDOWS:
            limits[key] = r.number(
                key, limits.get(key, 0), minimum=0, maximum=1_000_000, integer=True
            )
    return Budget(
        limits={k: v for k, v in limits.items() if v > 0}, day_zone=adapter_cls.budget_day_zone
    )


def _video_budget(adapter_cls: type[Adapter], settings: Mapping[str, Any]) -> dict[str, int]:
    """The adapter's windows on video posts, when the setting that turns them on is on."""
    if not adapter_cls.video_budget:
        return {}
    switch = adapter_cls.video_budget_setting
    if switch is not None and settings.get(switch) is not True:
        return {}
    return dict(adapter_cls.video_budget)


# ---------------------------------------------------------------------------------------------


def find_config_path(explicit: str | Path | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("CROSSPOST_CONFIG")
    if env:
        return Path(env)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_config(explicit: str | Path | None = None) -> Config:
    """Read and validate the config; without a file, defaults with no accounts."""
    path = find_config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        from crosspost.textfiles import read_text

        text = read_text(
            path, missing="no such config file; pass --config PATH or set CROSSPOST_CONFIG"
        )
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path | None) -> Config:
    """The config, or ConfigError naming every problem in the file (one line each)."""
    source = str(path) if path else "(defaults)"
    base = path.parent.resolve() if path else Path.cwd()
    problems: list[str] = []
    top = Reader(source, "", data, problems)
    top.only({"crosspost", "worker", "retry", "uploads", "windows", "accounts", "notify"})
    main = top.child("crosspost", top.table_of("crosspost"))
    main.only({"timezone", "database_url", "data_dir", "horizon_days"})
    zone_name = main.string("timezone", DEFAULT_ZONE) or DEFAULT_ZONE
    try:
        zone = load_zone(zone_name)
    except UserError:
        main.fail("timezone", f"{zone_name!r} is not an IANA zone such as {DEFAULT_ZONE}")
        zone = load_zone(DEFAULT_ZONE)
    data_dir = _resolve(
        base, os.environ.get("CROSSPOST_DATA_DIR") or main.string("data_dir", "var")
    )
    database_url, origin = _database_url(main, base, data_dir)
    accounts = {}
    for name, table in top.table_of("accounts").items():
        if not isinstance(table, dict):
            top.child("accounts", {}).fail(name, "must be a table")
            continue
        account = _account(top, name, table, base)
        if account is not None:
            accounts[name] = account
    notify = top.child("notify", top.table_of("notify"))
    notify.only({"urls"})
    urls = notify.data.get("urls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        notify.fail("urls", "must be a list of apprise notification URLs")
        urls = []
    config = Config(
        path=path,
        timezone=zone,
        database_url=database_url,
        data_dir=data_dir,
        worker=_section(top, "worker", WorkerSettings),
        retry=_section(top, "retry", RetrySettings),
        uploads=_uploads(top),
        windows=_windows(top),
        accounts=accounts,
        notify_urls=tuple(urls),
        horizon_days=main.number(
            "horizon_days", DEFAULT_HORIZON_DAYS, minimum=1, maximum=36500, integer=True
        ),
        database_origin=origin,
    )
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigProblems(f"{source}: {len(problems)} problems; fix them all:", problems)
    return config


def _database_url(main: Reader, base: Path, data_dir: Path) -> tuple[str, str]:
    """The database URL (a relative SQLite path made absolute) and where it came from."""
    if os.environ.get("CROSSPOST_DATABASE_URL"):
        database_url, origin = os.environ["CROSSPOST_DATABASE_URL"], "CROSSPOST_DATABASE_URL"
    else:
        database_url, origin = main.string("database_url") or "", main.where("database_url")
    if not database_url:
        return f"sqlite:///{data_dir / 'crosspost.db'}", main.where("data_dir")
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        relative = database_url.removeprefix("sqlite:///")
        if relative and relative != ":memory:" and not relative.startswith("file:"):
            database_url = f"sqlite:///{_resolve(base, relative)}"
        elif relative.startswith("file:"):  # the URI form (?mode=ro&uri=true): same rule
            path, mark, query = relative.removeprefix("file:").partition("?")
            if path and not path.startswith(("/", ":memory:")) and "mode=memory" not in query:
                database_url = f"sqlite:///file:{_resolve(base, path)}{mark}{query}"
    return database_url, origin


def _resolve(base: Path, value: str | None) -> Path:
    path = Path(value or "var").expanduser()
    return path if path.is_absolute() else (base / path).resolve()
