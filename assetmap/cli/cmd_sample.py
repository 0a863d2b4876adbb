"""assetmap sample OUT.gpkg: write the bundled Trafford sample project."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assetmap.cli.common import print_json, refuse_overwrite, terminal_progress
from assetmap.core.project import Project


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("sample", help="write the sample project (Trafford, real open data)",
                              description="Build the sample project from the open data in sample_data/.")
    p.add_argument("project", type=Path, help="where to write it, e.g. trafford.gpkg")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assetmap.core.sample import build_sample  # the import pipeline: only for this command

    refuse_overwrite(args.project, args.force, "")
    path, reports = build_sample(args.project, terminal_progress("Building sample", quiet=args.json))
    with Project.open(path, readonly=True) as project:
        summary = project.summary()
    summary["imports"] = [r.to_json() for r in reports]
    if args.json:
        print_json(summary)
        return 0
    print(f"Wrote {path}: {summary['neighbourhoods']} neighbourhoods, {summary['assets']} assets "
          f"({summary['unlocated']} not yet placed), {summary['asset_areas']} footprints.")
    for category, n in sorted(summary["by_category"].items()):
        print(f"  {category:<13} {n:>5}")
    for r in reports:
        print(f"  {Path(r.file).name:<38} {r.rows:>4} rows: {r.imported} imported, {r.unlocated} unlocated, "
              f"{r.duplicates} duplicates, {r.rejected} rejected", file=sys.stdout)
    return 0
