"""The monthly report: for each unit in units.toml and each kind, what it sent for the month,
what was approved and published (with the links), against what it owes.

Content whose unit is not in units.toml, or that has no unit, gets its own rows marked as such
rather than vanishing from the totals: it is usually a typo in an import, and the report is
where someone notices.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost.adapters.base import ContentKind, Platform
from crosspost.db.models import Content, Post, PostState, ReviewState
from crosspost.intake.month import Month
from crosspost.intake.units import Intake

KINDS = tuple(k.value for k in ContentKind)
PLATFORMS = tuple(p.value for p in Platform)
COUNTS = ("received", "approved", "published", "quota", "missing")
CSV_COLUMNS = ("month", "unit", "name", "status", "kind", *COUNTS, *PLATFORMS)
# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Link:
    content_id: int
    platform: str
    url: str


@dataclass
class KindCount:
    received: int = 0
    approved: int = 0
    published: int = 0
    quota: int = 0
    links: list[Link] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.quota - self.received, 0)

    def numbers(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass
class UnitReport:
    code: str | None  # None: content sent without a unit
    name: str | None
    known: bool  # listed in units.toml
    kinds: dict[str, KindCount]

    @property
    def status(self) -> str:
        """complete (every quota met), missing (nothing sent), partial; unknown off the list."""
        if not self.known:
            return "unknown"
        if all(c.received >= c.quota for c in self.kinds.values()):
            return "complete"
        return "missing" if self.total["received"] == 0 else "partial"

    @property
    def total(self) -> dict[str, int]:
        return _sum(c.numbers() for c in self.kinds.values())


@dataclass(frozen=True)
class MonthReport:
    month: Month
    units: tuple[UnitReport, ...]

    def kind_total(self, kind: str) -> dict[str, int]:
        return _sum(u.kinds[kind].numbers() for u in self.units if kind in u.kinds)

    @property
    def total(self) -> dict[str, int]:
        return _sum(u.total for u in self.units)


def build_report(session: Session, intake: Intake, month: Month) -> MonthReport:
    period = str(month)
    rows: dict[str | None, dict[str, KindCount]] = defaultdict(_empty_kinds)
    for unit in sorted(intake.units.values(), key=lambda u: u.code):
        for kind in KINDS:
            rows[unit.code][kind].quota = unit.quotas.get(kind, 0)
    content = session.execute(
        select(Content.id, Content.unit, Content.kind, Content.review_state)
        .where(Content.period == period)
        .order_by(Content.id)
    ).all()
    where: dict[int, KindCount] = {}
    for content_id, code, kind, review_state in content:
        count = rows[code].setdefault(kind, KindCount())
        count.received += 1
        count.approved += int(review_state == ReviewState.APPROVED)
        where[content_id] = count
    published = session.execute(
        select(Post.content_id, Post.platform, Post.remote_url)
        .join(Content, Content.id == Post.content_id)
        .where(Content.period == period, Post.state == PostState.PUBLISHED)
        .order_by(Post.content_id, Post.id)
    ).all()
    counted: set[int] = set()
    for content_id, platform, url in published:
        count = where[content_id]
        if content_id not in counted:
            counted.add(content_id)
            count.published += 1
        if url:
            count.links.append(Link(content_id, platform, url))
    units = [
        UnitReport(code, _name(intake, code), code in intake.units, kinds)
        for code, kinds in sorted(rows.items(), key=lambda r: _order(intake, r[0]))
    ]
    return MonthReport(month, tuple(units))


def report_json(report: MonthReport) -> dict[str, Any]:
    """Stable keys: month, units (each with its kinds and total), totals, statuses."""
    statuses = {s: 0 for s in ("complete", "partial", "missing", "unknown")}
    for unit in report.units:
        statuses[unit.status] += 1
    return {
        "month": str(report.month),
        "units": [
            {
                "unit": unit.code,
                "name": unit.name,
                "known": unit.known,
                "status": unit.status,
                "kinds": {kind: _kind_json(count) for kind, count in unit.kinds.items()},
                "total": unit.total,
            }
            for unit in report.units
        ],
        "totals": {
            **{kind: report.kind_total(kind) for kind in KINDS},
            "all": report.total,
        },
        "statuses": statuses,
    }


def report_csv(report: MonthReport) -> str:
    """One row per unit and kind; each platform's links in its column, space-separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for unit in report.units:
        for kind, count in unit.kinds.items():
            links = _links_by_platform(count.links)
            writer.writerow(
                spreadsheet_safe(cell)
                for cell in [
                    str(report.month),
                    unit.code or "",
                    unit.name or "",
                    unit.status,
                    kind,
                    *count.numbers().values(),
                    *(" ".join(links[p]) for p in PLATFORMS),
                ]
            )
    return out.getvalue()


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP's rule:
    units name themselves, so their text is untrusted); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _kind_json(count: KindCount) -> dict[str, Any]:
    by_platform: dict[str, list[dict[str, Any]]] = {p: [] for p in PLATFORMS}
    for link in count.links:
        by_platform.setdefault(link.platform, []).append(
            {"content_id": link.content_id, "url": link.url}
        )
    return {**count.numbers(), "links": by_platform}


def _links_by_platform(links: list[Link]) -> Mapping[str, list[str]]:
    result: dict[str, list[str]] = defaultdict(list)
    for link in links:
        result[link.platform].append(link.url)
    return result


def _empty_kinds() -> dict[str, KindCount]:
    return {kind: KindCount() for kind in KINDS}


def _sum(numbers: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counts added up; missing too, so one unit sending extra never hides another's gap."""
    total = dict.fromkeys(COUNTS, 0)
    for row in numbers:
        for name in COUNTS:
            total[name] += row[name]
    return total


def _name(intake: Intake, code: str | None) -> str | None:
    unit = intake.units.get(code) if code is not None else None
    return unit.name if unit else None


def _order(intake: Intake, code: str | None) -> tuple[int, str]:
    """Units in units.toml by code, then unknown codes, then content with no unit."""
    if code is None:
        return (2, "")
    return (0 if code in intake.units else 1, code)
