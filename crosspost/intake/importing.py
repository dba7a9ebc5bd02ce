"""`crosspost import`: a unit's monthly submission becomes content awaiting review.

All or nothing: every problem in the submission is found and listed (each at its row or
manifest key) before anything is written, so the unit fixes its file once and sends it again.
Each item carries a hash of what it is (text, unit, month and media bytes); an item already
stored is reported, not stored twice, so importing the same submission again is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crosspost.content import add_submitted
from crosspost.db.models import Content
from crosspost.errors import Problems, UserError
from crosspost.intake.month import Month
from crosspost.intake.submission import RawItem, Submission, read_submission
from crosspost.intake.units import Intake
from crosspost.items import NewContent, content_hash, parse_item, with_hashes
from crosspost.media_store import MediaStore
from crosspost.render.text import nfc
from crosspost.timeutil import utcnow

CREATED, WOULD_CREATE, ALREADY = "created", "would_create", "already_imported"


@dataclass(frozen=True)
class ImportedItem:
    where: str
    kind: str
    title: str
    unit: str
    period: str
    content_hash: str
    status: str  # created, would_create or already_imported
    content_id: int | None


@dataclass(frozen=True)
class ImportResult:
    source: Path
    dry_run: bool
    items: Sequence[ImportedItem]

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


@dataclass(frozen=True)
class Checked:
    """An item that passed every check, with its identity."""

    raw: RawItem
    item: NewContent
    content_hash: str


def import_submission(
    session: Session,
    path: Path,
    *,
    intake: Intake,
    zone: ZoneInfo,
    actor: str,
    unit: str | None = None,
    period: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    store: MediaStore | None,
) -> ImportResult:
    """Check the whole submission, then store each item not stored before (unless dry_run).

    With a media `store` (required: every door passes one; only tests pass None), files are
    judged by their bytes and copied into it; a dry run checks the same and copies nothing."""
    default = this_month(zone, now)
    sub, checked = check_submission(
        path, intake, unit=unit, period=period, default=default, store=store
    )
    hashes = [c.content_hash for c in checked]
    query = select(Content.content_hash, Content.id).where(Content.content_hash.in_(hashes))
    stored: dict[str | None, int] = {h: i for h, i in session.execute(query)}
    results = []
    for c in checked:
        content_id = stored.get(c.content_hash)
        status = ALREADY if content_id is not None else WOULD_CREATE if dry_run else CREATED
        if status == CREATED:
            content_id = _store(session, c, actor, sub.source, store)
        results.append(
            ImportedItem(
                where=c.raw.where,
                kind=c.item.kind.value,
                title=nfc(c.item.title.strip()),
                unit=c.item.unit or "",
                period=c.item.period or "",
                content_hash=c.content_hash,
                status=status,
                content_id=content_id,
            )
        )
    return ImportResult(source=sub.source, dry_run=dry_run, items=results)


def this_month(zone: ZoneInfo, now: datetime | None = None) -> str:
    """The month an undated submission is for: today's, where the team works."""
    return (now or utcnow()).astimezone(zone).strftime("%Y-%m")


def _store(
    session: Session, checked: Checked, actor: str, source: Path, store: MediaStore | None
) -> int:
    try:
        content = add_submitted(
            session,
            checked.item,
            actor,
            content_hash=checked.content_hash,
            store=store,
            source=str(source),
            where=checked.raw.where,
        )
    except IntegrityError:
        raise UserError(
            f"{source}: another import stored the same item ({checked.raw.where}) meanwhile; "
            "nothing was imported: run the import again"
        ) from None
    return content.id


def check_submission(
    path: Path,
    intake: Intake,
    *,
    unit: str | None,
    period: str | None,
    default: str,
    store: MediaStore | None = None,
) -> tuple[Submission, list[Checked]]:
    """Every item of the submission, checked, or Problems listing everything wrong: with a
    media `store`, each file is judged by its bytes and the platforms' limits too."""
    sub = read_submission(path)
    problems = list(sub.problems)
    if not intake.units:
        problems.append(
            "no units are configured: list them in units.toml beside crosspost.toml "
            "(see config/units.toml)"
        )
    top_unit = _agree(problems, "unit", sub.unit, unit)
    top_period = _agree(problems, "period", sub.period, period)
    if top_unit is not None:
        problems += _unit_problems(intake, top_unit, "unit" if sub.unit else "--unit")
    bad_period = _period_problems(top_period, "period" if sub.period else "--period")
    problems += bad_period
    checked: list[Checked] = []
    unit_missing: list[str] = []
    for raw in sub.items:
        item, found = parse_item(raw.data, sub.base, confine=True, tags_as_text=raw.from_csv)
        item_problems = [f"{raw.at(p.key)}: {p.message}" for p in found]
        if item is not None and store is not None and not item_problems:
            item_problems += [
                f"{raw.at(f'media.{m.role}')}: {p}" for m in item.media for p in store.problems(m)
            ]
        own_unit = raw.data.get("unit")
        if isinstance(own_unit, str):
            item_problems += _differs(raw, "unit", str(own_unit), top_unit)
            item_problems += _unit_problems(intake, str(own_unit).strip(), raw.at("unit"))
        elif top_unit is None:
            unit_missing.append(raw.where)
        if isinstance(raw.data.get("period"), str):
            item_problems += _differs(raw, "period", str(raw.data["period"]), top_period)
        problems += item_problems
        if item is None or item_problems or bad_period:
            continue
        item.unit = (item.unit or top_unit or "").strip()
        item.period = str(Month.parse(item.period or top_period or default))
        checked.append(Checked(raw, item, content_hash(with_hashes(item))))
    if unit_missing:
        where = (
            "in a unit column"
            if sub.source.suffix.lower() == ".csv"
            else "at the top of the manifest"
        )
        problems.append(
            f"unit: missing for {', '.join(unit_missing)}; set it {where} or pass --unit CODE"
        )
    problems += _duplicates(checked)
    if problems:
        raise Problems(
            f"nothing imported from {sub.source}: {len(problems)} problem(s)",
            problems,
            head=f"nothing imported from {sub.source}",
        )
    return sub, checked


def _agree(problems: list[str], key: str, in_file: str | None, option: str | None) -> str | None:
    """The submission-wide value: the manifest's or the option's, which must not disagree."""
    if in_file and option and in_file != option.strip():
        problems.append(
            f"{key}: the manifest says {in_file!r} but --{key} says {option!r}; "
            f"drop --{key} or fix the manifest"
        )
    return in_file or (option.strip() if option else None)


def _differs(raw: RawItem, key: str, own: str, top: str | None) -> list[str]:
    if top is None or own.strip() == top:
        return []
    return [f"{raw.at(key)}: {own!r} differs from the submission's {key} {top!r}; use one"]


def _unit_problems(intake: Intake, code: str, where: str) -> list[str]:
    problem = intake.unit_problem(code)
    return [f"{where}: {problem}"] if problem else []


def _period_problems(value: str | None, where: str) -> list[str]:
    if value is None:
        return []
    try:
        Month.parse(value)
    except UserError as exc:
        return [f"{where}: {exc}"]
    return []


def _duplicates(checked: list[Checked]) -> list[str]:
    """Items sent twice in one file: the same content, or the same kind and title."""
    problems = []
    by_hash: dict[str, str] = {}
    by_title: dict[tuple[str, str, str, str], str] = {}
    for c in checked:
        title_key = (
            c.item.kind.value,
            nfc(c.item.title.strip()).casefold(),
            c.item.unit or "",
            c.item.period or "",
        )
        if c.content_hash in by_hash:
            problems.append(
                f"{c.raw.where}: the same item as {by_hash[c.content_hash]}; remove one"
            )
        elif title_key in by_title:
            problems.append(
                f"{c.raw.where}: the same {c.item.kind} title as {by_title[title_key]}; "
                "remove one or retitle it"
            )
        by_hash.setdefault(c.content_hash, c.raw.where)
        by_title.setdefault(title_key, c.raw.where)
    return problems
