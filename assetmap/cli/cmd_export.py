"""``assetmap export PROJECT --out FILE.(html|geojson|csv)``: share the map or the data, public by default."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assetmap.cli import UsageError
from assetmap.cli.common import print_json, refuse_overwrite, terminal_progress
from assetmap.core.project import Project

FORMATS = {".html": "html", ".htm": "html", ".geojson": "geojson", ".json": "geojson", ".csv": "csv"}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export", help="export a web map (HTML), GeoJSON or CSV",
        description="Export the project's assets. Public by default: private assets and contact details "
        "are left out, and people appear only as counts of skills per neighbourhood.")
    p.add_argument("project", metavar="PROJECT", help="the project file (.gpkg)")
    p.add_argument("--out", required=True, metavar="FILE", help="output file: .html, .geojson or .csv")
    p.add_argument("--private", action="store_true",
                   help="include private assets and contact details (for the team only; the page says so)")
    p.add_argument("--title", help="title of the web map (default: the project's name)")
    p.add_argument("--description", help="a sentence under the title of the web map")
    p.add_argument("--indicator", metavar="RULE_ID", help="gap rule to shade neighbourhoods by (web map only)")
    p.add_argument("--no-basemap", action="store_true", help="no background map tiles: the page makes no requests")
    p.add_argument("--force", action="store_true", help="replace the output file if it is already there "
                   "(without it an existing file is left alone and the command exits 2)")
    p.add_argument("--json", action="store_true", help="print a summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"--out must end in .html, .geojson or .csv (got '{out.name}')")
    if fmt != "html" and (args.title or args.indicator or args.no_basemap or args.description):
        raise UsageError("--title, --description, --indicator and --no-basemap only apply to an .html export")
    refuse_overwrite(out, args.force)
    progress = terminal_progress("Exporting", quiet=args.json)
    with Project.open(args.project, readonly=True) as project:
        if fmt == "html":
            from assetmap.core.export.webmap import write_webmap

            summary = write_webmap(project, out, private=args.private, title=args.title,
                                   description=args.description, indicator=args.indicator,
                                   basemap=not args.no_basemap, progress=progress)
        elif fmt == "geojson":
            from assetmap.core.export.tables import write_geojson

            summary = write_geojson(project, out, private=args.private, progress=progress)
        else:
            from assetmap.core.export.tables import write_csv

            summary = write_csv(project, out, private=args.private, progress=progress)
    if args.json:
        print_json(summary)
    else:
        mode = "private (do not share)" if args.private else "public"
        print(f"Wrote {out} ({summary['assets']} assets, {summary['located']} on the map, {mode}, "
              f"{summary['bytes'] / 1e6:.1f} MB)", file=sys.stdout)
    return 0
