"""The ``assetmap`` command. Each subcommand lives in its own module with a ``register`` function.

Exit codes (DESIGN section 6): 0 success, 1 bad data (one line on stderr, no traceback),
2 bad usage, 70 an internal error (one line naming the log file that holds the traceback),
130 interrupted, 141 the reader of the output stopped reading (``| head``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from assetmap import __version__
from assetmap.cli import failures
from assetmap.core.errors import AssetmapError

# Adding a command: create assetmap/cli/cmd_<name>.py with register(subparsers) and list it here.
COMMANDS: tuple[str, ...] = ("gui", "sample", "new", "import", "assets", "gaps", "export", "assess", "assessments",
                             "criteria", "report", "imports", "areas", "attach", "kinds", "place", "repair")


class UsageError(Exception):
    """Bad usage that argparse cannot see (for example two options that exclude each other)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetmap",
        description="Map a neighbourhood's community assets, find where social infrastructure is thin, "
        "and share the result as a web map. Run without a command to open the app.",
        epilog="Exit status: 0 done, 1 bad data, 2 bad usage, 70 internal error (the one line names the log "
        "file with the details), 130 interrupted, 141 the output was closed early (| head).",
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
    """Run one command; whatever happens, stderr gets at most one line (see ``failures`` for the statuses)."""
    try:
        with failures.warnings_to_log():
            parser = build_parser()
            args = parser.parse_args(argv)
            if not getattr(args, "command", None):
                if not _offers(parser, "gui"):
                    parser.print_help()
                    return 2
                args = parser.parse_args(["gui"])
            return _run(args, argv)
    finally:
        failures.close_log()


def _fail(command: str, message: str, status: int) -> int:
    from assetmap.cli.common import end_progress_line

    end_progress_line()
    failures.say(command, message)
    return status


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that went away shows here, not in the interpreter's last flush
        return status
    except UsageError as exc:
        return _fail(args.command, str(exc), failures.EXIT_USAGE)
    except AssetmapError as exc:
        return _fail(args.command, str(exc), failures.EXIT_DATA)
    except KeyboardInterrupt:
        return _fail(args.command, "interrupted; nothing was changed.", failures.EXIT_INTERRUPTED)
    except BrokenPipeError:
        return failures.quiet_broken_pipe()
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        path = failures.log_internal_error(args.command, argv, exc)
        return _fail(args.command, failures.internal_error_message(path), failures.EXIT_INTERNAL)
