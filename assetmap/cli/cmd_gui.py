"""``assetmap gui [PROJECT] [--sample]``: open the desktop app (also what plain ``assetmap`` does).

Without a display (no DISPLAY or WAYLAND_DISPLAY and no QT_QPA_PLATFORM) no window can open, so the
command does the useful thing a CI machine can: build the sample project if needed (with its gap
analysis) and write its web map to ``./assetmap-sample.html`` with the export core; given a
PROJECT, it writes that project's web map to ``./PROJECT.html`` instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

HEADLESS_OUT = "assetmap-sample.html"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "gui", help="open the desktop app (the default command)",
        description="Open the desktop app: the given project, the last one, or the welcome page. "
        f"Without a display, writes the sample project's web map to ./{HEADLESS_OUT} instead.")
    p.add_argument("project", nargs="?", type=Path, metavar="PROJECT", help="a project file (.gpkg) to open")
    p.add_argument("--sample", action="store_true", help="open the sample project (built on first use)")
    p.set_defaults(func=run, project=None, sample=False)


def headless() -> bool:
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")) \
        and sys.platform not in ("win32", "darwin")


def sample_file() -> Path:
    """The sample project in the per-user data folder (the same one the app uses), built if missing."""
    from assetmap.core.sample import build_sample
    from assetmap.gui.settings import identify_app, sample_path

    identify_app()
    path = sample_path()
    if not path.exists():
        from assetmap.cli.common import terminal_progress
        from assetmap.core.analysis import run_gaps
        from assetmap.core.project import Project

        build_sample(path, terminal_progress("Building the sample project"))
        with Project.open(path) as project:  # so that the map opens shaded by the gaps
            run_gaps(project, progress=terminal_progress("Finding gaps"))
    return path


def run_headless(project_path: Path | None) -> int:
    from assetmap.core.export.webmap import write_webmap
    from assetmap.core.project import Project

    source = project_path or sample_file()
    out = Path.cwd() / (HEADLESS_OUT if project_path is None else f"{project_path.stem}.html")
    with Project.open(source, readonly=True) as project:
        summary = write_webmap(project, out)
    what = "the sample project's" if project_path is None else f"{project_path.name}'s"
    print(f"No display, so no window: wrote {what} web map to {out} ({summary['assets']} assets). "
          "Open it in a browser.")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.project is not None and args.sample:
        from assetmap.cli import UsageError

        raise UsageError("give a PROJECT or --sample, not both")
    if headless():
        return run_headless(args.project)
    from assetmap.gui.app import run as run_app

    return run_app(args.project, sample=args.sample)
