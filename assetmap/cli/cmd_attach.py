"""assetmap attach PROJECT FILE: update the neighbourhoods' population and IMD from a newer table, by code."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json
from assetmap.core.area.attach import FIELDS, attach_figures
from assetmap.core.project import Project


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "attach", help="join newer population or IMD figures to the neighbourhoods by code",
        description="Update the neighbourhoods' population, IMD rank and IMD decile from a CSV or XLSX table (e.g. "
        "English Indices of Deprivation 2025 File 1, or this year's population estimates). The code column is found "
        "by its values, the figure columns by their headers; all rows are checked, then the update is saved at once.")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path, help="CSV or XLSX table with one row per neighbourhood code")
    p.add_argument("--code-column", help="the column holding the neighbourhood codes")
    p.add_argument("--column", action="append", metavar="FIELD=COLUMN", default=[],
                   help=f"use COLUMN for FIELD ({', '.join(FIELDS)}); repeatable")
    p.add_argument("--layer", help="sheet of a workbook, if it has several")
    p.add_argument("--dry-run", action="store_true", help="report what would change and change nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _columns(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise UsageError(f"--column {pair}: expected FIELD=COLUMN, e.g. --column population=\"All Ages\"")
        if key.strip() not in FIELDS:
            raise UsageError(f"--column {pair}: FIELD must be one of {', '.join(FIELDS)}")
        out[key.strip()] = column.strip()
    return out


def run(args: argparse.Namespace) -> int:
    columns = _columns(args.column)
    with Project.open(args.project, readonly=args.dry_run) as project:
        report = attach_figures(project, args.file, code_column=args.code_column, columns=columns, layer=args.layer,
                                dry_run=args.dry_run)
        figures = project.get_setting("figures", {})
    out = report.to_dict()
    out["figures"] = figures
    if args.json:
        print_json(out)
        return 0
    verb = "Would update" if report.dry_run else "Updated"
    used = ", ".join(f"{k} = '{v}'" for k, v in report.columns.items())
    print(f"{verb} {len(report.matched)} neighbourhoods from {report.file} (codes in '{report.code_column}'; {used}); "
          f"{report.changed} of them change.")
    for label, codes in (("rows in the file with no neighbourhood", report.unmatched_file),
                         ("neighbourhoods the file lacks (figures kept)", report.unmatched_project)):
        if codes:
            shown = ", ".join(codes[:8]) + (", ..." if len(codes) > 8 else "")
            print(f"  {len(codes)} {label}: {shown}")
    for key, n in report.blank.items():
        print(f"  {n} matched rows have no {key} (kept as before)")
    for note in report.notes:
        print(f"  {note}")
    if not report.dry_run:
        print("  Run `assetmap gaps` again for priorities and per-1,000 figures with the new numbers.")
    return 0
