"""The ``assetmap`` command. Each subcommand lives in its own module with a ``register`` function.

Exit codes (DESIGN section 6): 0 success, 1 bad data (one line on stderr, no traceback),
2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from assetmap import __version__
from assetmap.core.errors import AssetmapError

# Adding a command: create assetmap/cli/cmd_<name>.py with register(subparsers) and list it here.
COMMANDS: tuple[str, ...] = ("gui", "sample", "new", "import", "assets", "gaps", "export", "assess", "assessments",
                             "criteria", "report", "imports", "areas", "attach", "kinds", "place")


class UsageError(Exception):
    """Bad usage that argparse cannot see (for example two options that exclude each other)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetmap",
        description="Map a neighbourhood's community assets, find where social infrastructure is thin, "
        "and share the result as a web map. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"assetmap {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"assetmap.cli.cmd_{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"assetmap.cli.cmd_{name}":
                continue  # a command still being built is simply not offered
            raise
        module.register(subparsers)
    return parser


def _offers(parser: argparse.ArgumentParser, command: str) -> bool:
    """Whether ``command`` is one of the parser's subcommands (one still being built is not offered)."""
    return any(command in action.choices for action in parser._actions
               if isinstance(action, argparse._SubParsersAction))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        if not _offers(parser, "gui"):
            parser.print_help()
            return 2
        args = parser.parse_args(["gui"])
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"assetmap {args.command}: {exc}", file=sys.stderr)
        return 2
    except AssetmapError as exc:
        print(f"assetmap {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"assetmap {args.command}: interrupted; nothing was changed.", file=sys.stderr)
        return 130
