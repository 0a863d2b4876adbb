"""assetmap new PROJECT.gpkg --boundaries FILE: start a project from neighbourhood boundaries."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json
from assetmap.core.boundaries import read_boundaries
from assetmap.core.io.coords import parse_crs
from assetmap.core.project import Project


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("new", help="create a project from neighbourhood boundaries",
                              description="Create a project. Boundaries may be GeoJSON, GeoPackage or a zipped "
                              "Shapefile in any coordinate system; code, name and population columns are guessed.")
    p.add_argument("project", type=Path)
    p.add_argument("--boundaries", type=Path, help="polygon file of neighbourhoods (wards, LSOAs, ...)")
    p.add_argument("--layer", help="layer of the boundaries file, if it has several")
    p.add_argument("--code-field", help="column with each neighbourhood's code (e.g. LSOA21CD)")
    p.add_argument("--name-field", help="column with each neighbourhood's name")
    p.add_argument("--population-field", help="column with the number of residents")
    p.add_argument("--imd-field", help="column with the IMD decile (1 = most deprived)")
    p.add_argument("--crs", help="project coordinate system when there are no boundaries (default EPSG:27700)")
    p.add_argument("--name", help="the project's title")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.project.exists() and not args.force:
        raise UsageError(f"{args.project} already exists; use --force to replace it")
    if args.boundaries and args.crs:
        raise UsageError("--crs is chosen from the boundaries; give one or the other")
    notes: list[str] = []
    fields: dict = {}
    if args.boundaries:
        b = read_boundaries(args.boundaries, code_field=args.code_field, name_field=args.name_field,
                            population_field=args.population_field, imd_field=args.imd_field, layer=args.layer)
        Project.create(args.project, b.crs, name=args.name or "", neighbourhoods=b.frame)
        notes, fields = b.notes, b.fields
    else:
        try:
            crs = parse_crs(args.crs or "EPSG:27700")
        except ValueError as exc:
            raise UsageError(f"--crs: {exc}") from None
        Project.create(args.project, crs, name=args.name or "")
    with Project.open(args.project, readonly=True) as project:
        summary = project.summary()
    summary.update(fields=fields, notes=notes)
    if args.json:
        print_json(summary)
    else:
        print(f"Created {args.project} ({summary['crs']}) with {summary['neighbourhoods']} neighbourhoods.")
        if fields:
            print("  columns used: " + ", ".join(f"{k} = {v or '(none)'}" for k, v in fields.items()))
        for note in notes[1:]:
            print(f"  {note}")
    return 0
