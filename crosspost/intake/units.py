"""`config/units.toml`: the contributing units, their monthly quotas and who may approve.

The file sits beside `crosspost.toml` (or at `$CROSSPOST_UNITS`). Every unit owes the
default quota (3 articles, 2 videos, 1 podcast a month) unless it overrides a kind.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosspost.adapters.base import ContentKind
from crosspost.config import Config
from crosspost.errors import ConfigError, UserError

DEFAULT_QUOTAS: Mapping[str, int] = {
    ContentKind.ARTICLE.value: 3,
    ContentKind.VIDEO.value: 2,
    ContentKind.PODCAST.value: 1,
}
UNIT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
UNIT_KEYS = frozenset({"name", "contact", "quotas"})


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    contact: str | None
    quotas: Mapping[str, int]  # content kind -> items owed per month


@dataclass(frozen=True)
class Intake:
    path: Path | None
    units: Mapping[str, Unit] = field(default_factory=dict)
    approvers: tuple[str, ...] = ()

    def unit(self, code: str) -> Unit:
        try:
            return self.units[code]
        except KeyError:
            known = ", ".join(sorted(self.units)) or "none; add them to units.toml"
            raise UserError(f"unknown unit {code!r}; known units: {known}") from None

    def unit_problem(self, code: str) -> str | None:
        """Why `code` is not a unit of units.toml, or None (also when no units are listed:
        a single-desk setup names units freely)."""
        if not self.units or code in self.units:
            return None
        known = ", ".join(sorted(self.units))
        return f"unknown unit {code!r}; known units: {known} (see {self.path})"

    def check_approver(self, who: str) -> None:
        """Only the approvers listed in units.toml may approve or reject. Without a units.toml
        review is open to anyone, as it was before intake existed (a single-desk setup)."""
        if self.path is not None and who not in self.approvers:
            listed = ", ".join(self.approvers) or "nobody yet"
            where = self.path or "units.toml"
            raise UserError(
                f"{who!r} may not approve or reject: approvers are {listed}; "
                f"add them to [review] approvers in {where}"
            )


def units_path(config: Config) -> Path:
    env = os.environ.get("CROSSPOST_UNITS")
    if env:
        return Path(env)
    folder = config.path.parent if config.path is not None else Path("config")
    return folder / "units.toml"


def load_intake(config: Config) -> Intake:
    """Read units.toml; without one, no units (nothing can be imported) and open review."""
    path = units_path(config)
    if not path.exists():
        if os.environ.get("CROSSPOST_UNITS"):  # named on purpose: a typo must not open review
            raise ConfigError(f"{path}: no such units file; fix $CROSSPOST_UNITS or unset it")
        return Intake(path=None)
    from crosspost.textfiles import read_text

    text = read_text(path, missing="no such units file; fix $CROSSPOST_UNITS or unset it")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_intake(data, path)


def parse_intake(data: Mapping[str, Any], path: Path) -> Intake:
    """units.toml read whole: every problem in it at once, one line each (a single problem is
    its line alone), so one edit fixes them all."""
    problems: list[str] = []
    for key in data:
        if key not in ("defaults", "review", "units"):
            problems.append(f"{path}: {key}: unknown key; allowed here: defaults, review, units")
    defaults_table = _table(path, data, "defaults", problems)
    for key in defaults_table:
        if key != "quotas":
            problems.append(f"{path}: [defaults] {key}: unknown key; allowed here: quotas")
    defaults = _quotas(path, "defaults.quotas", defaults_table.get("quotas", {}), problems)
    base = {**DEFAULT_QUOTAS, **defaults}
    review = _table(path, data, "review", problems)
    for key in review:
        if key != "approvers":
            problems.append(f"{path}: [review] {key}: unknown key; allowed here: approvers")
    approvers = review.get("approvers", [])
    if not isinstance(approvers, list) or not all(
        isinstance(a, str) and a.strip() for a in approvers
    ):
        problems.append(f"{path}: [review] approvers: must be a list of user names")
        approvers = []
    units: dict[str, Unit] = {}
    for code, table in _table(path, data, "units", problems).items():
        unit = _unit(path, code, table, base, problems)
        if unit is not None:
            units[code] = unit
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        from crosspost.config import ConfigProblems

        raise ConfigProblems(f"{path}: {len(problems)} problems; fix them all:", problems)
    return Intake(path=path, units=units, approvers=tuple(a.strip() for a in approvers))


def _unit(
    path: Path, code: str, table: Any, base: Mapping[str, int], problems: list[str]
) -> Unit | None:
    """One [units.CODE] table, or None with its problems added."""
    where = f"{path}: [units.{code}]"
    before = len(problems)
    if not UNIT_CODE.match(code):
        problems.append(f"{where}: a unit code is lower-case letters, digits, - or _")
    if not isinstance(table, dict):
        problems.append(f"{where}: must be a table")
        return None
    for key in table:
        if key not in UNIT_KEYS:
            allowed = ", ".join(sorted(UNIT_KEYS))
            problems.append(f"{where} {key}: unknown key; allowed here: {allowed}")
    name = table.get("name")
    if "name" in table and not isinstance(name, str):
        problems.append(
            f"{where} name: must be a string, not {type(name).__name__}: quote it ({name!r})"
        )
    elif not isinstance(name, str) or not name.strip():
        problems.append(f"{where} name: is required (the unit's full name)")
    contact = table.get("contact")
    if contact is not None and not isinstance(contact, str):
        problems.append(f"{where} contact: must be a string: quote it ({contact!r})")
    overrides = _quotas(path, f"units.{code}.quotas", table.get("quotas", {}), problems)
    if len(problems) > before or not isinstance(name, str):
        return None
    return Unit(code, unicodedata.normalize("NFC", name.strip()), contact, {**base, **overrides})


def _table(path: Path, data: Mapping[str, Any], key: str, problems: list[str]) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{path}: {key}: must be a table")
        return {}
    return value


def _quotas(path: Path, where: str, value: Any, problems: list[str]) -> dict[str, int]:
    if not isinstance(value, dict):
        problems.append(f"{path}: [{where}]: must be a table of kind = count")
        return {}
    kinds = {k.value for k in ContentKind}
    quotas: dict[str, int] = {}
    for kind, count in value.items():
        if kind not in kinds:
            problems.append(f"{path}: [{where}] {kind}: not one of {', '.join(sorted(kinds))}")
        elif isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
            problems.append(f"{path}: [{where}] {kind}: {count!r} must be an integer 0-1000")
        else:
            quotas[kind] = count
    return quotas
