"""``assetmap assessments PROJECT``: the assessed buildings side by side (latest assessment of each)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from assetmap.cli import UsageError
from assetmap.cli.common import print_json
from assetmap.core.assessments.store import assessment_summaries, assessments_for
from assetmap.core.model import parse_date
from assetmap.core.project import Project

SUMMARY_KEYS = ("asset_id", "name", "score", "recommendation", "acv")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "assessments", help="list assessed buildings with score, recommendation and ACV dates",
        description="List every assessed asset (its latest assessment), best score first, or with --asset the "
        "whole history of one asset, newest first.")
    p.add_argument("project", metavar="PROJECT.gpkg")
    p.add_argument("--asset", metavar="ASSET_ID", help="every assessment of this asset, newest first")
    p.add_argument("--today", metavar="DATE", help="the date 'next due' is counted from (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def parse_today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(parse_date(value))
    except ValueError as exc:
        raise UsageError(f"--today: {exc}") from None


def run(args: argparse.Namespace) -> int:
    today = parse_today(args.today)
    with Project.open(args.project, readonly=True) as project:
        if args.asset:
            project.asset(args.asset)  # a clear error for an unknown id
            history = assessments_for(project, args.asset)
            if args.json:
                print_json(history)
            else:
                for rec in history:
                    print(f"{rec['date']}  {rec['score']:5.1f}  {rec['recommendation']:<24}  {rec['assessor']}")
                if not history:
                    print("No assessments of this asset yet.")
            return 0
        summaries = assessment_summaries(project, today=today)
    if args.json:
        print_json([{k: s[k] for k in SUMMARY_KEYS} for s in summaries])
        return 0
    if not summaries:
        print("No assessments yet. Add one with: assetmap assess PROJECT ASSET_ID --from FILE.json")
        return 0
    print(f"{'Score':>5}  {'Recommendation':<24}  {'Assessed':<10}  {'ACV':<12}  {'Next ACV date':<34}  Name")
    for s in summaries:
        due = s["next_due"]
        due_text = f"{due['date']} {due['key'].replace('_', ' ')}" if due else ""
        print(f"{s['score']:5.1f}  {s['recommendation']:<24}  {s['date']:<10}  {s['acv']['status']:<12}  "
              f"{due_text[:34]:<34}  {s['name']}")
    return 0
