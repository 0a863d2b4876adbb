"""assetmap kinds PROJECT: list the kinds of asset a project knows, and add or remove its own."""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap.cli import UsageError
from assetmap.cli.common import print_json
from assetmap.core.project import Project
from assetmap.core.project.kinds import KindError, add_kind, kind_id_for, list_kinds, remove_kind, taken_synonyms
from assetmap.core.taxonomy import CATEGORY_IDS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "kinds", help="list kinds of asset; add or remove the project's own",
        description="List the kinds of asset this project knows (the ones assetmap ships and the ones the project "
        "added), or add one the list lacks: assetmap kinds PROJECT --add physical/skate_park --label \"Skate park\". "
        "A kind the project added can be removed again once no asset is that kind.")
    p.add_argument("project", type=Path)
    p.add_argument("--add", metavar="ID", help="add a kind: category/name, e.g. physical/skate_park (or just the "
                   "category, e.g. physical, to make the name from --label)")
    p.add_argument("--label", help="with --add: what people call it, e.g. \"Skate park\"")
    p.add_argument("--synonym", action="append", default=[], metavar="WORDS",
                   help="with --add: other words for it in a type column or a name (repeatable)")
    p.add_argument("--osm", action="append", default=[], metavar="TAG",
                   help="with --add: an OpenStreetMap tag that means it, e.g. leisure=skatepark; several tags "
                   "that must all be there are joined by + (repeatable)")
    p.add_argument("--remove", metavar="ID", help="remove a kind the project added")
    p.add_argument("--category", choices=CATEGORY_IDS, help="list only this category")
    p.add_argument("--json", action="store_true", help="print the kinds (or the one added or removed) as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.add and args.remove:
        raise UsageError("--add and --remove exclude each other")
    if not args.add and (args.label or args.synonym or args.osm):
        raise UsageError("--label, --synonym and --osm go with --add")
    if args.add:
        return _add(args)
    if args.remove:
        return _remove(args)
    with Project.open(args.project, readonly=True) as project:
        kinds = list_kinds(project)
    if args.category:
        kinds = [k for k in kinds if k["category"] == args.category]
    if args.json:
        print_json(kinds)
        return 0
    category = None
    for k in kinds:
        if k["category"] != category:
            category = k["category"]
            print(f"{k['category_label']}:")
        mark = "  (this project's own)" if k["custom"] else ""
        used = f"  {k['assets']} asset{'s' if k['assets'] != 1 else ''}" if k["assets"] else ""
        print(f"  {k['id']:<36} {k['label']}{mark}{used}")
    own = sum(k["custom"] for k in kinds)
    print(f"{len(kinds)} kinds, {own} of them this project's own")
    return 0


def _add(args: argparse.Namespace) -> int:
    if not args.label:
        raise UsageError("--add needs --label, e.g. --add physical/skate_park --label \"Skate park\"")
    category, _, name = args.add.partition("/")
    try:
        kind_id = args.add if name else kind_id_for(args.label, category)
        with Project.open(args.project) as project:
            before = project.taxonomy
            kind = add_kind(project, args.label, kind_id=kind_id, synonyms=args.synonym, osm=args.osm)
            entry = {"id": kind.id, "label": kind.label, "synonyms": list(kind.synonyms), "osm": list(kind.osm)}
            taken = taken_synonyms(before, entry)
    except KindError as exc:
        raise UsageError(f"--add {args.add}: {exc}") from None
    if args.json:
        print_json({"added": {**entry, "category": kind.category, "custom": True}, "took_over": taken})
        return 0
    print(f"Added {kind.id} ({kind.label}) to {args.project.name}.")
    if taken:
        print(f"  From now on {', '.join(taken)} mean{'s' if len(taken) == 1 else ''} {kind.label} in this project.")
    print(f"  Import a list of them with: assetmap import {args.project.name} FILE --kind {kind.id}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    try:
        with Project.open(args.project) as project:
            removed = remove_kind(project, args.remove)
    except KindError as exc:
        raise UsageError(f"--remove {args.remove}: {exc}") from None
    if args.json:
        print_json({"removed": removed})
        return 0
    print(f"Removed {removed['id']} ({removed['label']}) from {args.project.name}.")
    return 0
