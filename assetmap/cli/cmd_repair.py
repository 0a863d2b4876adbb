"""assetmap repair PROJECT --drop-foreign-objects: remove triggers, views and tables assetmap did not make.

A project that holds such objects is refused on open (see assetmap/core/project/trust.py). Without
the flag, repair only lists what it would remove and exits 1, so nothing is dropped by accident.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assetmap.cli.common import print_json
from assetmap.core.project.repair import drop_foreign_objects, find_foreign_objects


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "repair", help="remove triggers, views and tables that assetmap, GDAL and QGIS do not make",
        description="List the objects in a project file that assetmap, GDAL and QGIS do not make (a project "
        "holding any is refused on open, as they could change or copy its data); with --drop-foreign-objects, "
        "remove exactly those, in one transaction.")
    p.add_argument("project", type=Path)
    p.add_argument("--drop-foreign-objects", action="store_true", help="remove them (without it: only list them)")
    p.add_argument("--json", action="store_true", help="print what was found or removed as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.drop_foreign_objects:
        dropped = drop_foreign_objects(args.project)
        if args.json:
            print_json({"project": str(args.project), "dropped": dropped})
        elif dropped:
            print(f"Removed from {args.project.name}: " + "; ".join(dropped))
        else:
            print(f"{args.project.name} holds nothing that assetmap, GDAL or QGIS does not make; nothing was changed.")
        return 0
    found = [o.describe() for o in find_foreign_objects(args.project)]
    if args.json:
        print_json({"project": str(args.project), "foreign": found})
    if not found:
        if not args.json:
            print(f"{args.project.name} holds nothing that assetmap, GDAL or QGIS does not make.")
        return 0
    if not args.json:
        print(f"{args.project.name} holds {len(found)} object{'s' if len(found) != 1 else ''} that assetmap, GDAL "
              f"and QGIS do not make:")
        for name in found:
            print(f"  {name}")
    print(f"assetmap repair: nothing was removed; add --drop-foreign-objects to remove "
          f"{'them' if len(found) != 1 else 'it'}.", file=sys.stderr)
    return 1
