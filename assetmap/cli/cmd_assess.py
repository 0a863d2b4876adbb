"""``assetmap assess PROJECT ASSET_ID --from FILE.json``: add an asset transfer assessment."""

from __future__ import annotations

import argparse
from typing import Any

from assetmap.cli.common import print_json
from assetmap.core.assessments.jsonfile import load_assessment_json, validation_to_data_error
from assetmap.core.assessments.store import add_assessment
from assetmap.core.errors import ValidationError
from assetmap.core.project import Project


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "assess", help="add an asset transfer assessment of a building from a JSON file",
        description="Add an assessment (never replacing earlier ones) from a JSON file; its keys are listed in "
        "docs/assessment_json.md. The asset's ACV fields follow the newest assessment.")
    p.add_argument("project", metavar="PROJECT.gpkg")
    p.add_argument("asset_id", metavar="ASSET_ID")
    p.add_argument("--from", dest="source", required=True, metavar="FILE.json", help="the assessment as JSON")
    p.add_argument("--json", action="store_true", help="print the stored assessment as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raw = load_assessment_json(args.source)
    with Project.open(args.project) as project:
        try:
            rec = add_assessment(project, args.asset_id, raw)
        except ValidationError as exc:
            raise validation_to_data_error(exc, args.source) from None
        name = project.asset(args.asset_id)["name"]
    if args.json:
        print_json(rec)
        return 0
    print(f"Added assessment {rec['id']} of {name}: score {rec['score']:.1f}/100, "
          f"recommendation {rec['recommendation'].replace('_', ' ')}.")
    for flag in rec["flags"]:
        print(f"  {flag['severity']}: {flag['message']}")
    return 0
