"""`crosspost report --month YYYY-MM [--json | --csv]`: each unit's month against its quota."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

if TYPE_CHECKING:
    from crosspost.intake.report import MonthReport

STATUS_STYLE = {"complete": "green", "partial": "yellow", "missing": "red", "unknown": "magenta"}


@handle_errors
def report(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the period units sent for")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV: one row per unit and kind.")] = False,
) -> None:
    """What each unit sent, got approved and published in a month, against its quota."""
    from crosspost.errors import UserError
    from crosspost.intake.month import Month
    from crosspost.intake.report import build_report, report_csv, report_json
    from crosspost.intake.units import load_intake

    if as_json and as_csv:
        raise UserError("choose one of --json and --csv")
    chosen = Month.parse(month)
    intake = load_intake(runtime.config)
    with runtime.factory() as session:
        result = build_report(session, intake, chosen)
    if as_json:
        print_json(report_json(result))
    elif as_csv:
        sys.stdout.write(report_csv(result))
    else:
        show(result)


def show(result: MonthReport) -> None:
    """The units' table and the links, both readable at 80 columns and through a pipe."""
    from rich.markup import escape

    from crosspost.cli.views import table_of
    from crosspost.intake.report import KINDS

    headers = ["unit", "name", "status", *(f"{kind}s" for kind in KINDS)]
    headers += ["approved", "published", "missing"]
    cells = [
        [
            escape(unit.code or "(no unit)"),
            escape(unit.name or ("not in units.toml" if unit.code else "")),
            f"[{STATUS_STYLE[unit.status]}]{unit.status}[/]",
            *(f"{unit.kinds[k].received}/{unit.kinds[k].quota}" for k in KINDS),
            *(str(unit.total[n]) for n in ("approved", "published", "missing")),
        ]
        for unit in result.units
    ]
    title = f"Intake for {result.month} (received/quota per kind)"
    table = table_of(headers, cells, keep=set(headers), title=title)
    totals = {kind: result.kind_total(kind) for kind in KINDS}
    table.add_section()
    table.add_row(
        "total",
        "",
        "",
        *(f"{totals[k]['received']}/{totals[k]['quota']}" for k in KINDS),
        *(str(result.total[n]) for n in ("approved", "published", "missing")),
    )
    console.print(table)
    links = [
        [escape(unit.code or "(no unit)"), kind, str(link.content_id), link.platform, url]
        for unit in result.units
        for kind, count in unit.kinds.items()
        for link in count.links
        for url in [escape(link.url)]
    ]
    if links:
        link_headers = ["unit", "kind", "content", "platform", "link"]
        console.print(
            table_of(
                link_headers,
                links,
                keep=set(link_headers),
                title="Published",
            )
        )
