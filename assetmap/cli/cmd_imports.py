"""``assetmap imports PROJECT``: the import history, so a user can see what came from where and undo it."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli.common import print_json
from assetmap.core.imports.history import list_imports
from assetmap.core.project import Project


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("imports", help="list the project's imports (newest last); undo one with "
                              "assetmap import --undo",
                              description="List every import into the project: its number, when, the file, what it "
                              "added and updated, and whether it was undone. `assetmap import --undo PROJECT "
                              "[--id ID]` takes one back.")
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print the history as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Project.open(args.project, readonly=True) as project:
        history = list_imports(project)
    if args.json:
        print_json(history)
        return 0
    if not history:
        print("No imports recorded yet (imports made with assetmap before import history was kept are not listed).")
        return 0
    print(f"{'Id':>4}  {'Imported (UTC)':<16}  {'Added':>6}  {'Updated':>7}  {'Rows':>6}  {'State':<22}  File")
    for rec in history:
        state = f"undone {rec['undone_at'][:16].replace('T', ' ')}" if rec["undone_at"] else "in the project"
        print(f"{rec['id']:>4}  {rec['imported_at'][:16].replace('T', ' '):<16}  {rec['added']:>6}  "
              f"{rec['updated']:>7}  {rec['rows'] if rec['rows'] is not None else '':>6}  {state:<22}  "
              f"{Path(rec['file']).name}" + (f" (source: {rec['source']})" if rec["source"] != Path(rec["file"]).name
                                             else ""))
    return 0
