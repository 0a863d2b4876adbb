"""assetmap areas [TEXT]: the local authorities whose LSOAs, population and IMD come bundled with assetmap."""

from __future__ import annotations

import argparse

from assetmap.cli.common import print_json
from assetmap.core.area import national


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("areas", help="list the local authorities `assetmap new --area` knows",
                              description="List the local authorities of England and Wales in the bundled data "
                              "(code, name, country, 2011 LSOAs, mid-2015 population), filtered by TEXT (part of a "
                              "name, another name such as a former district, or a code).")
    p.add_argument("text", nargs="?", default="", help="part of a name or code, e.g. 'bol' or E08")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    found = national.search(args.text)
    if args.json:
        print_json([a.to_dict() for a in found])
        return 0
    if not found:
        near = national.closest(args.text)
        hint = f" Closest: {', '.join(a.label for a in near)}." if near else ""
        print(f"No local authority matches '{args.text}'.{hint}")
        return 0
    width = max(len(a.name) for a in found)
    print(f"{'code':<10} {'name':<{width}} {'country':<8} {'LSOAs':>6} {'population':>11}")
    for a in found:
        pop = f"{a.population:,}" if a.population is not None else "-"
        extra = f"  (formed {a.formed})" if a.formed else ""
        aka = f"  also: {', '.join(a.aliases)}" if a.aliases else ""
        print(f"{a.code:<10} {a.name:<{width}} {a.country:<8} {a.lsoas:>6} {pop:>11}{extra}{aka}")
    print(f"{len(found)} local authorit{'y' if len(found) == 1 else 'ies'}; population is mid-2015 (IoD2019 "
          "denominators, England only).")
    return 0
