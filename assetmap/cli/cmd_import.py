"""assetmap import PROJECT FILE: add assets from a spreadsheet, GIS file or OpenStreetMap extract."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json, refuse_overwrite, terminal_progress
from assetmap.core.imports.history import undo_import
from assetmap.core.imports.pipeline import (
    ImportOptions,
    commit_import,
    parse_map_options,
    prepare_import,
    write_rejects,
)
from assetmap.core.project import Project
from assetmap.core.project.lookups import postcode_lookup, remember_lookups
from assetmap.core.taxonomy import CATEGORY_IDS

MAX_MARGIN_M = 50_000  # further than any walk: a bigger "margin" is a mistake (or kilometres typed as metres)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("import", help="import assets from CSV, XLSX, GeoJSON, GeoPackage, zipped "
                              "Shapefile or .osm.pbf",
                              description="Import assets. Every row is imported, kept unlocated, skipped as a "
                              "duplicate, updates the asset it made when the file was imported before, or is "
                              "rejected with its row number and the reason. Each import can be taken back with "
                              "--undo (see assetmap imports PROJECT for the history).")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path, nargs="?", help="the file to import (not with --undo)")
    p.add_argument("--layer", help="layer or sheet to read")
    p.add_argument("--category", choices=CATEGORY_IDS[1:], help="give every row this category")
    p.add_argument("--kind", help="give every row this kind, e.g. physical/village_hall (or one the project added: "
                   "see assetmap kinds PROJECT)")
    p.add_argument("--no-theme", action="store_true",
                   help="classify each row from its own type and name, even when the file's name (or sheet, or "
                   "layer) says what it lists, e.g. dental_practices.csv")
    p.add_argument("--crs", help="coordinate system of the coordinates, e.g. EPSG:27700 (overrides detection)")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="use COLUMN for FIELD (repeatable), e.g. --map name=PropertyName --map x=GeoX; "
                   "FIELD= (nothing after =) uses no column for it")
    p.add_argument("--public-column", action="append", metavar="COLUMN", default=[],
                   help="publish this extra column (repeatable): columns no field uses are kept with each asset "
                   "as private details; a public one appears in exported maps, GeoJSON and CSV. Matched like "
                   "--map, ignoring case, spaces and punctuation")
    p.add_argument("--postcodes", type=Path, action="append", metavar="LOOKUP",
                   help="postcode lookup to place rows that have only a postcode: an OS Code-Point Open or ONS "
                   "Postcode Directory CSV, a zip of them, or a folder of them (such as Code-Point Open's "
                   "unzipped download, one CSV per postcode area; subfolders are read too). Repeatable: the "
                   "lookups merge. The lookup is remembered for the project and used by later imports")
    p.add_argument("--no-postcodes", action="store_true",
                   help="do not use the project's remembered postcode lookup this time")
    p.add_argument("--private", action="store_true", help="mark every imported asset private")
    p.add_argument("--people", action="store_true", help="the file lists residents' skills (name, skills, consent, "
                   "consent date, neighbourhood or postcode), not assets; rows without consent are rejected")
    p.add_argument("--clip", action="store_true", help="reject rows further outside the project's neighbourhoods "
                   "than the margin (for OpenStreetMap extracts and regional lists that reach beyond your area)")
    p.add_argument("--margin", type=float, metavar="METRES",
                   help="how far beyond the neighbourhoods a row still counts as nearby: it then counts towards "
                   "what is within reach of the neighbourhoods near the edge (default: the longest gap rule "
                   "distance, 2 km with the default rules)")
    p.add_argument("--rejects", type=Path, help="write rejected rows, with a reason column, to this CSV")
    p.add_argument("--dry-run", action="store_true", help="check the file and report; change nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--undo", action="store_true", help="take back the last import that was not undone (or "
                   "--id ID): removes the assets it added and puts back what it updated, in one step")
    p.add_argument("--id", type=int, metavar="ID", help="with --undo: the import to take back (see assetmap imports)")
    p.add_argument("--force", action="store_true", help="with --undo: undo even though assets it brought in were "
                   "edited since (those edits are lost); with --rejects: replace that file if it is already there")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.undo:
        return _run_undo(args)
    if args.id is not None or (args.force and not args.rejects):
        raise UsageError("--id goes with --undo, and --force with --undo or --rejects")
    if args.file is None:
        raise UsageError("give the FILE to import (or --undo to take back the last import)")
    if args.postcodes and args.no_postcodes:
        raise UsageError("--postcodes and --no-postcodes exclude each other")
    try:
        mapping = dict(parse_map_options(args.map))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.margin is not None and not 0 <= args.margin <= MAX_MARGIN_M:
        raise UsageError(f"--margin {args.margin:g}: give a distance in metres from 0 to {MAX_MARGIN_M:,}")
    if args.kind and args.no_theme:
        raise UsageError("--kind gives every row one kind; --no-theme classifies row by row: use one of them")
    if args.people:
        return _run_people(args, mapping)
    if args.rejects:
        refuse_overwrite(args.rejects, args.force, "--rejects")  # before anything is imported
    with Project.open(args.project, readonly=args.dry_run) as project:
        _check_kind(project, args.kind, args.category)
        lookup, lookup_notes = postcode_lookup(project, args.postcodes, skip=args.no_postcodes,
                                               progress=terminal_progress("Reading postcodes", quiet=args.json))
        options = ImportOptions(layer=args.layer, category=args.category, kind=args.kind, crs=args.crs,
                                mapping=mapping, postcodes=lookup, visibility="private" if args.private else None,
                                clip=args.clip, margin_m=args.margin, public_columns=args.public_column,
                                theme=not args.no_theme)
        prepared = prepare_import(project, args.file, options, terminal_progress("Importing", quiet=args.json))
        prepared.report.notes[:0] = lookup_notes
        if args.postcodes and not args.dry_run:
            prepared.report.notes.insert(len(lookup_notes), "the postcode lookup is remembered for this project: "
                                         "later imports use it (--no-postcodes leaves it out)")
        if args.rejects:
            write_rejects(prepared, args.rejects)
        report = prepared.report if args.dry_run else commit_import(project, prepared,
                                                                    remember_postcodes=bool(args.postcodes))
    if args.json:
        print_json(report.to_json())
        return 0
    verb = "Would import" if args.dry_run else "Imported"
    print(f"{verb} {report.imported} asset{'' if report.imported == 1 else 's'} from {args.file.name}; "
          f"{report.unlocated} without a location "
          f"(place them later), {report.duplicates} duplicates skipped, {report.updated} updated, "
          f"{report.rejected} rejected."
          + (f" Import {report.import_id}: assetmap import --undo takes it back." if report.import_id else ""))
    for note in report.notes:
        print(f"  {note}")
    for row in report.updated_rows[:20]:
        print(f"  row {row['row']}: updated {row['name']} ({', '.join(row['fields'])})"
              + (", now on the map" if row.get("placed") else ""))
    if report.updated > 20:
        print(f"  ... and {report.updated - 20} more updated (--json lists them all)")
    for reject in report.rejects[:20]:
        print(f"  row {reject['row']}: {reject['reason']}")
    if report.rejected > 20:
        print(f"  ... and {report.rejected - 20} more" + ("" if args.rejects else " (write them all with --rejects)"))
    return 0


def _check_kind(project: Project, kind: str | None, category: str | None) -> None:
    """--kind must be one of the project's kinds (shipped or its own), and of --category when both are given."""
    if not kind:
        return
    tax = project.taxonomy
    if kind not in tax.kinds or kind.startswith("people/"):
        guess = tax.kind_for_text(kind)
        hint = f"did you mean {guess} ({tax.label(guess)})?" if guess else "e.g. physical/village_hall"
        raise UsageError(f"--kind {kind}: not a kind in this project ({hint}); assetmap kinds PROJECT lists them, "
                         "and --add makes a new one")
    if category and tax.kinds[kind].category != category:
        raise UsageError(f"--kind {kind} is in the category {tax.kinds[kind].category}, not {category}")


def _run_people(args: argparse.Namespace, mapping: dict[str, str]) -> int:
    from assetmap.core.imports.people import import_people

    if args.dry_run or args.rejects or args.category or args.kind or args.crs or args.clip or args.private \
            or args.no_theme or args.margin is not None:
        raise UsageError("with --people only --map, --postcodes, --no-postcodes and --json apply")
    with Project.open(args.project) as project:
        lookup, lookup_notes = postcode_lookup(project, args.postcodes, skip=args.no_postcodes)
        with project.transaction():
            report = import_people(project, args.file, mapping=mapping, postcodes=lookup,
                                   progress=terminal_progress("Importing people", quiet=args.json))
            if args.postcodes and lookup is not None:
                remember_lookups(project, lookup)
        report.notes[:0] = lookup_notes
    if args.json:
        print_json(report.to_json())
        return 0
    print(f"Added {report.imported} people from {args.file.name}; {report.duplicates} already there, "
          f"{report.rejected} rejected.")
    for note in report.notes:
        print(f"  {note}")
    for reject in report.rejects[:20]:
        print(f"  row {reject['row']}: {reject['reason']}")
    return 0


def _run_undo(args: argparse.Namespace) -> int:
    if args.file is not None:
        raise UsageError("--undo takes no FILE: it takes back the last import (or --id ID)")
    others = ("layer", "category", "kind", "crs", "map", "postcodes", "rejects", "no_theme", "public_column",
              "private", "people", "clip", "dry_run", "no_postcodes", "margin")
    if any(getattr(args, name, None) for name in others):
        raise UsageError("with --undo only --id, --force and --json apply")
    with Project.open(args.project) as project:
        undone = undo_import(project, args.id, force=args.force)
    if args.json:
        print_json(undone.to_json())
        return 0
    removed, restored = len(undone.removed), len(undone.restored)
    print(f"Undid import {undone.import_id} ({Path(undone.file).name}): removed {removed} "
          f"asset{'' if removed == 1 else 's'} it added, put {restored} it updated back as "
          f"{'it was' if restored == 1 else 'they were'}."
          + (f" {len(undone.skipped)} had been deleted since and stay deleted." if undone.skipped else ""))
    for label, names in (("removed", [s["asset"].get("name") for s in undone.removed]),
                         ("restored", [undone.replaced[i]["asset"].get("name") for i in undone.restored])):
        if names:
            print(f"  {label}: {', '.join(map(str, names[:10]))}" + (f" and {len(names) - 10} more"
                                                                      if len(names) > 10 else ""))
    return 0
