"""``assetmap place PROJECT ASSET_ID (--postcode PC | --at "LAT,LON" | --at "E,N")``: put an asset on the map."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json
from assetmap.core.io.coords import parse_crs
from assetmap.core.project import Project
from assetmap.core.project.commands import UpdateAsset
from assetmap.core.project.placing import place_coordinates, place_postcode, placing_changes, project_lookup


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "place", help="place an asset by its postcode or coordinates",
        description="Put an asset on the map (or move it) by a postcode, looked up in the project's postcode "
        "lookup, or by coordinates: latitude, longitude in degrees (53.4246, -2.3232; 53°25'29\"N 2°19'24\"W) "
        "or a British National Grid easting, northing (379500, 391200) or grid reference (SJ 795 912). A place "
        "far outside the project's neighbourhoods is refused unless --force is given. Undo it in the app "
        "(Edit ▸ Undo) or by placing it again.")
    p.add_argument("project", type=Path)
    p.add_argument("asset_id", metavar="ASSET_ID", help="the asset's id (assetmap assets PROJECT --json lists them)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--postcode", metavar="PC", help="a full UK postcode, e.g. \"M33 7XX\"")
    where.add_argument("--at", metavar="COORDINATES", help="\"LAT,LON\" in degrees or \"E,N\" in metres (British "
                       "National Grid), or a grid reference; which one is told by the values")
    p.add_argument("--crs", help="with --at: the coordinates are x, y in this system (e.g. EPSG:32630), whatever "
                   "their values look like")
    p.add_argument("--postcodes", type=Path, action="append", metavar="LOOKUP",
                   help="with --postcode: use this lookup (Code-Point Open or ONS Postcode Directory CSV, zip or "
                   "folder; repeatable) instead of the one remembered for the project")
    p.add_argument("--force", action="store_true", help="place it even when that is far outside the project's "
                   "neighbourhoods")
    p.add_argument("--json", action="store_true", help="print where it was placed as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.crs and not args.at:
        raise UsageError("--crs goes with --at")
    if args.postcodes and not args.postcode:
        raise UsageError("--postcodes goes with --postcode")
    try:
        crs = parse_crs(args.crs) if args.crs else None
    except ValueError as exc:
        raise UsageError(f"--crs: {exc}") from None
    with Project.open(args.project) as project:
        asset = project.asset(args.asset_id)  # an unknown id fails before any lookup is read
        try:
            if args.postcode is not None:
                lookup = project_lookup(project, args.postcodes) if args.postcodes else None
                placement = place_postcode(project, args.postcode, lookup)
            else:
                placement = place_coordinates(project, args.at, crs)
        except ValueError as exc:  # not a postcode or coordinates at all: the command line needs changing
            raise UsageError(f"{'--postcode' if args.postcode is not None else '--at'}: {exc}") from None
        if placement.far and not args.force:
            raise UsageError(f"{placement.warning()}. Check it, or add --force to place it there anyway; "
                             "nothing was changed")
        changes = placing_changes(project, args.asset_id, placement)
        UpdateAsset(args.asset_id, changes).apply(project)
    name = asset.get("name") or args.asset_id
    if args.json:
        print_json({"id": args.asset_id, "name": name, **placement.to_json(), "changed": sorted(changes)})
        return 0
    print(f"Placed {name} at {placement.lat:.5f}, {placement.lon:.5f} ({placement.how})"
          + (f"; its postcode is now {changes['postcode']}" if "postcode" in changes else "") + ".")
    for note in placement.notes:
        print(f"  {note}")
    if placement.far:
        print(f"  {placement.warning()}: placed there as asked (--force)")
    return 0
