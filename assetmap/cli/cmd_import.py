"""assetmap import PROJECT FILE: add assets from a spreadsheet, GIS file or OpenStreetMap extract."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json, terminal_progress
from assetmap.core.io.importer import ImportOptions, commit_import, parse_map_options, prepare_import, write_rejects
from assetmap.core.io.postcodes import load_postcodes
from assetmap.core.project import Project
from assetmap.core.taxonomy import CATEGORY_IDS, default_taxonomy


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("import", help="import assets from CSV, XLSX, GeoJSON, GeoPackage, zipped "
                              "Shapefile or .osm.pbf",
                              description="Import assets. Every row is imported, kept unlocated, skipped as a "
                              "duplicate, or rejected with its row number and the reason.")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path)
    p.add_argument("--layer", help="layer or sheet to read")
    p.add_argument("--category", choices=CATEGORY_IDS[1:], help="give every row this category")
    p.add_argument("--kind", help="give every row this kind, e.g. physical/village_hall")
    p.add_argument("--crs", help="coordinate system of the coordinates, e.g. EPSG:27700 (overrides detection)")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="use COLUMN for FIELD (repeatable), e.g. --map name=PropertyName --map x=GeoX; "
                   "FIELD= (nothing after =) uses no column for it")
    p.add_argument("--postcodes", type=Path, help="postcode lookup (Code-Point Open or ONS Postcode Directory) "
                   "to place rows that have only a postcode")
    p.add_argument("--private", action="store_true", help="mark every imported asset private")
    p.add_argument("--people", action="store_true", help="the file lists residents' skills (name, skills, consent, "
                   "consent date, neighbourhood or postcode), not assets; rows without consent are rejected")
    p.add_argument("--clip", action="store_true", help="reject rows outside the project's neighbourhoods "
                   "(for OpenStreetMap extracts that reach beyond your area)")
    p.add_argument("--rejects", type=Path, help="write rejected rows, with a reason column, to this CSV")
    p.add_argument("--dry-run", action="store_true", help="check the file and report; change nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        mapping = dict(parse_map_options(args.map))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.kind and args.kind not in default_taxonomy().kinds:
        raise UsageError(f"--kind {args.kind}: not a kind (see resources/taxonomy.json), e.g. physical/village_hall")
    if args.people:
        return _run_people(args, mapping)
    options = ImportOptions(layer=args.layer, category=args.category, kind=args.kind, crs=args.crs, mapping=mapping,
                            postcodes=load_postcodes(args.postcodes) if args.postcodes else None,
                            visibility="private" if args.private else None, clip=args.clip)
    with Project.open(args.project, readonly=args.dry_run) as project:
        prepared = prepare_import(project, args.file, options, terminal_progress("Importing", quiet=args.json))
        if args.rejects:
            write_rejects(prepared, args.rejects)
        report = prepared.report if args.dry_run else commit_import(project, prepared)
    if args.json:
        print_json(report.to_json())
        return 0
    verb = "Would import" if args.dry_run else "Imported"
    print(f"{verb} {report.imported} asset{'' if report.imported == 1 else 's'} from {args.file.name}; "
          f"{report.unlocated} without a location "
          f"(place them later), {report.duplicates} duplicates skipped, {report.rejected} rejected.")
    for note in report.notes:
        print(f"  {note}")
    for reject in report.rejects[:20]:
        print(f"  row {reject['row']}: {reject['reason']}")
    if report.rejected > 20:
        print(f"  ... and {report.rejected - 20} more" + ("" if args.rejects else " (write them all with --rejects)"))
    return 0


def _run_people(args: argparse.Namespace, mapping: dict[str, str]) -> int:
    from assetmap.core.io.people_import import import_people

    if args.dry_run or args.rejects or args.category or args.kind or args.crs or args.clip or args.private:
        raise UsageError("with --people only --map, --postcodes and --json apply")
    lookup = load_postcodes(args.postcodes) if args.postcodes else None
    with Project.open(args.project) as project:
        report = import_people(project, args.file, mapping=mapping, postcodes=lookup,
                               progress=terminal_progress("Importing people", quiet=args.json))
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
