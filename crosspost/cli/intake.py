"""`crosspost import` (a unit's monthly submission) and `crosspost samples make` (the media
the sample submissions refer to)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

if TYPE_CHECKING:
    from crosspost.intake.importing import ImportResult

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]

samples_app = typer.Typer(no_args_is_help=True, help="The sample submissions in config/samples.")


@handle_errors
def import_(
    path: Annotated[Path, typer.Argument(help="A submission folder (submission.toml) or a .csv")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit code, when the file does not say")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Month submitted for, YYYY-MM (default: now)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; store nothing")
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Who imports (default $CROSSPOST_USER)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a unit's submission as content awaiting review: every item, or none."""
    from crosspost.audit import current_actor
    from crosspost.intake.importing import import_submission
    from crosspost.intake.units import load_intake
    from crosspost.media_store import MediaStore

    config = runtime.config
    store = MediaStore.from_config(config)
    options: dict[str, Any] = {
        "intake": load_intake(config),
        "zone": config.timezone,
        "actor": current_actor(by),
        "unit": unit,
        "period": period,
        "dry_run": dry_run,
        "store": store,
    }
    if dry_run:
        with runtime.factory() as session:
            result = import_submission(session, path, **options)
    else:
        try:
            with runtime.transaction() as session:
                result = import_submission(session, path, **options)
        except BaseException:
            store.discard_created()  # nothing was imported, so no copy is kept either
            raise
    if as_json:
        print_json(result_json(result))
        return
    _print(result)


def result_json(result: ImportResult) -> dict[str, Any]:
    return {
        "source": str(result.source),
        "dry_run": result.dry_run,
        "created": result.count("created"),
        "would_create": result.count("would_create"),
        "already_imported": result.count("already_imported"),
        "items": [
            {
                "where": i.where,
                "status": i.status,
                "content_id": i.content_id,
                "kind": i.kind,
                "title": i.title,
                "unit": i.unit,
                "period": i.period,
                "content_hash": i.content_hash,
            }
            for i in result.items
        ],
    }


def _print(result: ImportResult) -> None:
    for i in result.items:
        if i.status == "created":
            what = f"created content {i.content_id}"
        elif i.status == "would_create":
            what = "would create"
        else:
            what = f"already imported (content {i.content_id})"
        console.print(
            f"{i.where}: {what} — {i.kind} {i.unit} {i.period}: {i.title}",
            highlight=False,
            soft_wrap=True,
        )
    counts = [
        f"{result.count(s)} {s.replace('_', ' ')}"
        for s in ("created", "would_create", "already_imported")
        if result.count(s)
    ]
    tail = " (dry run: nothing stored)" if result.dry_run else ""
    console.print(f"{result.source}: {', '.join(counts) or 'no items'}{tail}", highlight=False)


@samples_app.command("make")
@handle_errors
def make(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Sample submissions, a folder of them or one (default: config/samples)"
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Write every file again")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the media files the sample submissions refer to (they are not committed)."""
    from crosspost.intake.samples import make_sample_media

    if folder is None:
        config_path = runtime.config.path
        folder = (config_path.parent if config_path else Path("config")) / "samples"
    written = make_sample_media(folder, force=force)
    if as_json:
        print_json({"written": [str(p) for p in written]})
        return
    for path in written:
        console.print(f"wrote {path}", highlight=False)
    console.print(f"{len(written)} file(s) written under {folder}", highlight=False)
