"""`crosspost plan --month YYYY-MM [--apply] [--json] [--by NAME]`: spread the month's approved
items over the accounts' posting slots; show the calendar and the items an account would
refuse (a line each: item, account, problem), each priced account's expected spend per
billing month beside its cap (naming the posts the cap would defer), and schedule the
calendar with --apply;
`--apply --expect FINGERPRINT` (printed by the plan) schedules it only if it is still exactly the
calendar that was shown."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime


@handle_errors
def plan(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the period to plan")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Schedule every placement shown (all or nothing).")
    ] = False,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="With --apply: the plan's fingerprint as shown; refuse if the plan changed.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Who schedules (default $CROSSPOST_USER)")
    ] = None,
) -> None:
    """Plan the month's approved items on every account's posting slots."""
    from crosspost.audit import current_actor
    from crosspost.errors import UserError
    from crosspost.intake.month import Month
    from crosspost.intake.plan import apply_plan, check_expected, make_plan, plan_json
    from crosspost.timeutil import utcnow

    if expect is not None and not apply:
        raise UserError("--expect goes with --apply: add --apply, or leave --expect out")
    chosen = Month.parse(month)
    config = runtime.config
    now = utcnow()
    with runtime.transaction() as session:
        result = make_plan(session, config, chosen, now=now)
        applied = None
        if apply:
            if expect is not None:
                check_expected(result, expect)
            applied = apply_plan(session, config, result, actor=current_actor(by), now=now)
    data = plan_json(result, config.timezone, applied.post_ids if applied else None)
    if as_json:
        print_json(data)
    else:
        show(data)


def show(data: dict[str, Any]) -> None:
    """The calendar (a row per day, a column per account), then what did not fit."""
    from rich.markup import escape
    from rich.table import Table

    accounts = [a["account"] for a in data["accounts"]]
    days: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in data["placements"]:
        day, clock = p["at"][:10], p["at"][11:16]
        days[day][p["account"]].append(f"{clock} #{p['content_id']} {p['unit'] or '-'} {p['kind']}")
    calendar = Table("day", *accounts, title=f"Plan for {data['month']}", show_lines=True)
    for day in sorted(days):
        calendar.add_row(day, *(escape("\n".join(days[day][a])) for a in accounts))
    console.print(calendar)
    for a in data["accounts"]:
        console.print(
            f"{a['account']} ({a['platform']}): {a['planned']} planned, "
            f"{a['free'] - a['planned']} of {a['slots']} slots from now on still free",
            highlight=False,
        )
    show_spend(data)
    if data["unplaced"]:
        missed = Table(
            "content", "unit", "kind", "account", "why it does not fit", title="Not placed"
        )
        for u in data["unplaced"]:
            missed.add_row(
                str(u["content_id"]),
                escape(u["unit"] or "-"),
                u["kind"],
                escape(u["account"] or "-"),
                escape(u["reason"]),
            )
        console.print(missed)
    for r in data["refused"]:
        console.print(
            f"refused #{r['content_id']} {escape(r['account'])}: {escape(r['problem'])}",
            highlight=False,
            soft_wrap=True,
        )
    if data["refused"]:
        items = len({r["content_id"] for r in data["refused"]})
        console.print(
            f"{items} item(s) planned around: fix them, then plan again to place them",
            highlight=False,
        )
    count = len(data["placements"])
    if data["applied"]:
        console.print(f"{count} posts scheduled", highlight=False)
    else:
        console.print(
            f"plan {data['fingerprint']}, not applied: to schedule exactly these {count} posts, "
            f"run `crosspost plan --month {data['month']} --apply --expect {data['fingerprint']}`",
            highlight=False,
            soft_wrap=True,
        )


def show_spend(data: dict[str, Any]) -> None:
    """Each priced account's expected spend per billing month, beside its cap, and the posts
    the worker would hold back to the next billing month."""
    from rich.markup import escape

    for s in data["spend"]:
        cap = f" of a ${s['cap']} cap" if s["cap"] is not None else ""
        console.print(
            f"{escape(s['account'])} spend {s['month']} ({s['month_zone']}): ${s['total']}{cap} "
            f"(${s['spent']} spent, ${s['scheduled']} scheduled, ${s['planned']} planned)",
            highlight=False,
            soft_wrap=True,
        )
        for p in s["over_cap"]:
            console.print(
                f"  over the cap: #{p['content_id']} at {p['at']} (${p['cost']}) would wait for "
                "the next billing month",
                highlight=False,
                soft_wrap=True,
            )
