"""``assetmap gaps PROJECT``: the gap analysis, printed as a priority list, JSON or a CSV file."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from assetmap.cli.common import print_json, refuse_overwrite, terminal_progress
from assetmap.core.analysis import GapOptions, GapResult, run_gaps
from assetmap.core.analysis.flags import flag_text
from assetmap.core.analysis.population import read_population_points
from assetmap.core.analysis.run import DISTANCE_NOTE
from assetmap.core.project import Project
from assetmap.core.project.atomic import atomic_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gaps`` subcommand."""
    p = subparsers.add_parser("gaps", help="find where social infrastructure is thin, neighbourhood by neighbourhood",
                              description="Count assets per neighbourhood, measure straight-line coverage for each "
                              "gap rule, flag shortfalls and rank neighbourhoods by gaps and deprivation. "
                              "The results are stored in the project. What is printed or written treats a "
                              "neighbourhood with fewer than 3 registered residents as having none (its flags and "
                              "rank too), so it can be shared; --private shows the exact numbers.")
    p.add_argument("project", metavar="PROJECT", help="the project file (.gpkg)")
    p.add_argument("--out", metavar="FILE.csv", help="also write one row per neighbourhood to this CSV file")
    p.add_argument("--force", action="store_true", help="with --out: replace the CSV file if it is already there "
                   "(without it an existing file is left alone, nothing is analysed and the command exits 2)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON, on one line (compact)")
    p.add_argument("--pretty", action="store_true", help="print the JSON indented for people to read (implies "
                   "--json; several times larger and slower at national scale)")
    p.add_argument("--population-points", metavar="FILE",
                   help="points with a population field (e.g. Output Area population-weighted centroids), any CRS; "
                   "coverage is then also measured as a share of residents")
    p.add_argument("--population-field", metavar="F", help="the population column of --population-points")
    p.add_argument("--by-area", action="store_true",
                   help="measure coverage as a share of each neighbourhood's area, even when the project's postcode "
                   "lookup says where homes are (by default coverage is of homes: its postcode centres, each "
                   "counted once)")
    p.add_argument("--include-unlocated", action="store_true",
                   help="count assets without a location where their neighbourhood is known "
                        "(a one-neighbourhood project)")
    p.add_argument("--public-only", action="store_true", help="leave out assets marked private")
    p.add_argument("--private", action="store_true",
                   help="print and write the exact numbers of residents, even below 3 (for the team only: "
                        "do not share this output)")
    p.set_defaults(func=run)


def csv_rows(result: GapResult) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per neighbourhood in priority order: counts, rates, coverage, flags."""
    records = result.ranked()
    categories = list(records[0]["counts"]) if records else []
    rule_ids = list(records[0]["coverage"]) if records else []
    pop_ids = list(records[0].get("population_coverage", {})) if records else []
    area_ids = list(records[0].get("area_coverage", {})) if records else []
    density_ids = list(records[0]["density"]) if records else []
    header = (["priority", "code", "name", "population", "imd_decile", "left_behind", "gap_score"]
              + [f"count_{c}" for c in categories] + [f"per_1000_{c}" for c in categories]
              + [f"coverage_{r}" for r in rule_ids] + [f"coverage_basis_{r}" for r in rule_ids]
              + [f"area_coverage_{r}" for r in area_ids] + [f"population_coverage_{r}" for r in pop_ids]
              + list(density_ids) + ["flags", "distance_basis"])
    rows = []
    for rec in records:
        row: dict[str, Any] = {k: rec.get(k) for k in ("priority", "code", "name", "population", "imd_decile",
                                                          "left_behind", "gap_score")}
        row.update({f"count_{c}": rec["counts"].get(c) for c in categories})
        row.update({f"per_1000_{c}": rec["per_1000"].get(c) for c in categories})
        row.update({f"coverage_{r}": rec["coverage"].get(r) for r in rule_ids})
        row.update({f"coverage_basis_{r}": rec.get("coverage_basis", {}).get(r, "area") for r in rule_ids})
        row.update({f"area_coverage_{r}": rec.get("area_coverage", {}).get(r) for r in area_ids})
        row.update({f"population_coverage_{r}": rec.get("population_coverage", {}).get(r) for r in pop_ids})
        row.update({r: rec["density"].get(r) for r in density_ids})
        row["flags"] = " ".join(flag_text(f) for f in rec["flags"])
        row["distance_basis"] = "straight-line"
        rows.append(row)
    return header, rows


def write_csv(result: GapResult, path: Path) -> None:
    """Write the CSV atomically, so a failed run never leaves half a file."""
    from assetmap.core.export.text import neutral_tree  # the export package loads folium: only for --out

    header, rows = csv_rows(result)
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(neutral_tree(rows))  # names and flags from the user's files: no bidi controls


def _print_summary(result: GapResult, limit: int = 10) -> None:
    ranked = result.ranked()
    print(f"Gap analysis of {len(ranked)} neighbourhoods. Distances are {DISTANCE_NOTE}.")
    for note in result.meta.get("coverage_notes") or []:  # what coverage is of: homes, residents or the area
        print(f"  {note[:1].upper()}{note[1:]}.")
    for notice in result.notices:  # data mapped nowhere: said once here, never flagged in every neighbourhood
        print(f"  Note: {notice}")
    if ranked and all(rec["priority"] is None for rec in ranked):
        flagged = [rec for rec in ranked if rec["flags"]]
        if not flagged:
            print("No neighbourhood has a gap flagged, so there is no priority list.")
            return
        print("Gaps are flagged, but each may only be that nothing is mapped beyond the project's boundary, so "
              "there is no priority list: import what lies just beyond the area to see (assetmap import keeps a "
              "margin around it).")
        ranked = flagged
    for rec in ranked[:limit]:
        mark = " (left behind: worst tenth on gaps and IMD decile 1)" if rec["left_behind"] else ""
        decile = f", IMD decile {rec['imd_decile']}" if rec.get("imd_decile") is not None else ""
        place = f"{rec['priority']:>4}." if rec["priority"] is not None else "   -"
        print(f"{place} {rec['name']} ({rec['code']}{decile}){mark}")
        for flag in rec["flags"]:
            print(f"        [{flag['severity']}] {flag_text(flag)}")
    if len(ranked) > limit:
        print(f"... and {len(ranked) - limit} more (use --out FILE.csv or --json for all).")


def run(args: argparse.Namespace) -> int:
    """Open the project, analyse, store, and print or write the results."""
    as_json = args.json or args.pretty
    if args.out:
        refuse_overwrite(Path(args.out), args.force)  # before the analysis stores anything
    with Project.open(args.project) as project:
        population = None
        if args.population_points:
            population = read_population_points(args.population_points, project.crs, field=args.population_field)
        options = GapOptions(include_unlocated=args.include_unlocated, include_private=not args.public_only,
                             population=population, homes=not args.by_area)
        stored = run_gaps(project, options, progress=terminal_progress("Gap analysis", quiet=as_json))
    result = stored if args.private else stored.published()
    if args.out:
        write_csv(result, Path(args.out))
    if as_json:
        print_json(result.to_json(), compact=not args.pretty)
    else:
        _print_summary(result)
        if args.out:
            print(f"Wrote {args.out}.")
    return 0
