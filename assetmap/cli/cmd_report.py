"""``assetmap report PROJECT ASSET_ID --out REPORT.html``: the one-page dossier for a building."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assetmap.cli import UsageError
from assetmap.cli.cmd_assessments import parse_today
from assetmap.cli.common import print_json, refuse_overwrite
from assetmap.core.project import Project

SUFFIXES = (".html", ".htm", ".pdf")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report", help="write a one-page A4 report on a building (HTML, or PDF with a local Chromium)",
        description="Write a one-page, print-ready dossier: map of the building in its neighbourhood, the "
        "neighbourhood's gap results, facts, scores, ACV dates and the recommendation. It is the team's internal "
        "report (private assets and exact numbers of residents counted, and marked so) unless --public. A .pdf "
        "output needs playwright and a Chromium browser already installed.")
    p.add_argument("project", metavar="PROJECT.gpkg")
    p.add_argument("asset_id", metavar="ASSET_ID")
    p.add_argument("--out", required=True, metavar="REPORT.html", help="where to write it (.html or .pdf)")
    p.add_argument("--assessment", metavar="ID", help="report on this assessment instead of the newest")
    p.add_argument("--today", metavar="DATE", help="the date 'next due' is counted from (default: today)")
    p.add_argument("--public", action="store_true",
                   help="a report to publish: its gap results count only public assets and treat fewer than 3 "
                        "residents as none, as the public map does (the default is the team's internal report, "
                        "marked not for publication)")
    p.add_argument("--force", action="store_true", help="replace the output file if it is already there "
                   "(without it an existing file is left alone and the command exits 2)")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assetmap.core.assessments.report import write_report  # loads the web export: only for this command

    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out must end in .html or .pdf, not '{out.suffix or out.name}'")
    refuse_overwrite(out, args.force)
    today = parse_today(args.today)
    with Project.open(args.project, readonly=True) as project:
        written = write_report(project, args.asset_id, out, assessment_id=args.assessment, today=today,
                               public=args.public)
    if args.json:
        print_json({"out": str(written), "asset_id": args.asset_id, "format": written.suffix.lstrip(".").lower()})
    else:
        print(f"Wrote {written} ({'public' if args.public else 'internal: not for publication'})")
    return 0
