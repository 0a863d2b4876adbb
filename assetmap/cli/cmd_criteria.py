"""``assetmap criteria PROJECT``: see or change the criteria this project's assessments are scored against.

Every council weighs asset transfer differently, so each project keeps its own copy of the
criteria; earlier assessments keep the criteria they were scored with.
"""

from __future__ import annotations

import argparse
from typing import Any

from assetmap.cli import UsageError
from assetmap.cli.common import print_json
from assetmap.core.assessments.criteria import (
    criteria_from_data,
    default_criteria_data,
    project_criteria_data,
    set_project_criteria,
)
from assetmap.core.assessments.jsonfile import load_assessment_json, validation_to_data_error
from assetmap.core.errors import ValidationError
from assetmap.core.project import Project


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "criteria", help="show or change the assessment criteria and their weights",
        description="Show the project's asset transfer criteria (each scored 0-5, weighted, total out of 100), "
        "replace them from a JSON file (the shape --json prints), or go back to the shipped defaults. "
        "Assessments already made keep the criteria they were scored with.")
    p.add_argument("project", metavar="PROJECT.gpkg")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--set", dest="source", metavar="FILE.json", help="replace the criteria with this document")
    change.add_argument("--reset", action="store_true", help="go back to the shipped default criteria")
    p.add_argument("--json", action="store_true", help="print the criteria document as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.source and args.reset:  # argparse refuses this already; kept for direct calls
        raise UsageError("use --set or --reset, not both")
    changing = bool(args.source or args.reset)
    data = load_assessment_json(args.source, keys="title, criteria") if args.source else None
    with Project.open(args.project, readonly=not changing) as project:
        if changing:
            try:
                set_project_criteria(project, data if data is not None else default_criteria_data())
            except ValidationError as exc:
                raise validation_to_data_error(exc, args.source or "the default criteria") from None
        current = project_criteria_data(project)
    if args.json:
        print_json(current)
        return 0
    criteria = criteria_from_data(current)
    total = sum(c.weight for c in criteria)
    if changing:
        print(f"Saved {len(criteria)} criteria" + (" (the defaults)." if args.reset else "."))
    print(f"{'Weight':>6}  {'Max pts':>7}  {'Id':<28}  Title")
    for c in criteria:
        print(f"{c.weight:6g}  {c.weight / total * 100:7.1f}  {c.id:<28}  {c.title}")
    return 0
