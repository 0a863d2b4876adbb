"""assetmap new PROJECT.gpkg [--area NAME_OR_CODE] [--boundaries FILE]: start a project from a local
authority's LSOAs (bundled), from a boundary file, or from one authority's units of a wider file."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json, refuse_overwrite, terminal_progress
from assetmap.core.area.start import create_project, describe_figures, plan_from_area, plan_from_boundaries
from assetmap.core.io.coords import parse_crs
from assetmap.core.project import Project
from assetmap.core.project.atomic import atomic_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "new", help="create a project for a local authority or from neighbourhood boundaries",
        description="Create a project. --area alone takes a local authority's 2011 LSOAs, with population and IMD "
        "(England), from the data bundled with assetmap. --boundaries takes any polygon file (GeoJSON, GeoPackage, "
        "zipped Shapefile, any coordinate system; code, name and population columns are guessed); with --area it "
        "keeps that authority's units. Figures a file lacks come from the bundled LSOAs by area-weighted overlap.")
    p.add_argument("project", type=Path)
    p.add_argument("--area", help="local authority name or GSS code (e.g. Bolton, E08000001); `assetmap areas` lists "
                   "them")
    p.add_argument("--boundaries", type=Path, help="polygon file of neighbourhoods (wards, LSOAs, ...)")
    p.add_argument("--area-field", help="column of the boundaries file that holds each unit's local authority")
    p.add_argument("--layer", help="layer of the boundaries file, if it has several")
    p.add_argument("--code-field", help="column with each neighbourhood's code (e.g. LSOA21CD)")
    p.add_argument("--name-field", help="column with each neighbourhood's name")
    p.add_argument("--population-field", help="column with the number of residents")
    p.add_argument("--imd-field", help="column with the IMD decile (1 = most deprived)")
    p.add_argument("--crs", help="project coordinate system when there are no boundaries (default EPSG:27700)")
    p.add_argument("--name", help="the project's title")
    p.add_argument("--allow-overlap", action="store_true",
                   help="accept neighbourhoods that overlap (an asset in an overlap counts in each of them)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _check_usage(args: argparse.Namespace) -> None:
    refuse_overwrite(args.project, args.force, "")
    if args.crs and (args.boundaries or args.area):
        raise UsageError("--crs is chosen from the boundaries or the area; give one or the other")
    if not args.boundaries:
        given = [flag for flag, value in (("--area-field", args.area_field), ("--layer", args.layer),
                                          ("--code-field", args.code_field), ("--name-field", args.name_field),
                                          ("--population-field", args.population_field),
                                          ("--imd-field", args.imd_field)) if value]
        if given:
            raise UsageError(f"{', '.join(given)} only apply to --boundaries FILE")
    if args.area is not None and not args.area.strip():
        raise UsageError("--area needs a local authority name or code (e.g. Bolton or E08000001)")
    if args.area_field and not args.area:
        raise UsageError("--area-field needs --area (the authority whose units to keep)")


def run(args: argparse.Namespace) -> int:
    _check_usage(args)
    plan = None
    progress = terminal_progress("Creating the project", quiet=args.json)
    if args.boundaries:
        plan = plan_from_boundaries(args.boundaries, area=args.area, area_field=args.area_field,
                                    code_field=args.code_field, name_field=args.name_field,
                                    population_field=args.population_field, imd_field=args.imd_field,
                                    layer=args.layer, progress=progress)
    elif args.area:
        plan = plan_from_area(args.area, progress=progress)
    try:
        crs = parse_crs(args.crs or "EPSG:27700")  # used only without a plan (the plan has the boundaries' CRS)
    except ValueError as exc:
        raise UsageError(f"--crs: {exc}") from None
    # Written beside the destination and opened once before it takes the name: a project that cannot be
    # opened (or a disk that fails) leaves nothing behind, and --force keeps the old project until then.
    with atomic_path(args.project) as tmp:
        if plan is not None:
            title = args.name or (plan.area["name"] if plan.area else "")
            create_project(tmp, plan, name=title or args.project.stem, allow_overlap=args.allow_overlap,
                           source=str(args.boundaries or "the bundled LSOAs"))
        else:
            Project.create(tmp, crs, name=args.name or args.project.stem)
        with Project.open(tmp, readonly=True) as project:
            summary = project.summary()
            figures = project.get_setting("figures", {})
    summary["project"] = str(args.project)
    notes = plan.notes if plan else []
    summary.update(fields=plan.fields if plan else {}, notes=notes, figures=figures)
    if plan is not None:
        summary.update(plan.summary())
    if args.json:
        print_json(summary)
        return 0
    where = f": the 2011 LSOAs of {plan.area['name']} ({plan.area['code']})" if plan and plan.area and \
        not args.boundaries else ""
    print(f"Created {args.project} ({summary['crs']}) with {summary['neighbourhoods']} neighbourhoods{where}.")
    if plan is not None and plan.fields:
        print("  columns used: " + ", ".join(f"{k} = {v or '(none)'}" for k, v in plan.fields.items()))
    for note in notes[1:]:
        print(f"  {note}")
    if plan is not None and summary.get("population_total") is not None:
        print(f"  population in all: {summary['population_total']:,}")
    for line in describe_figures(figures):
        print(f"  {line}")
    return 0
