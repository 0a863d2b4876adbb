"""assetmap assets PROJECT: list the project's assets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import geopandas as gpd

from assetmap.cli.common import print_json
from assetmap.core.model import ASSET_FIELD_NAMES, plain_value
from assetmap.core.project import Project


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("assets", help="list assets", description="List the project's assets.")
    p.add_argument("project", type=Path)
    p.add_argument("--category", help="only this category")
    p.add_argument("--unlocated", action="store_true", help="only assets not yet placed on the map")
    p.add_argument("--json", action="store_true", help="every field, with lon/lat in WGS84 (null when unlocated)")
    p.set_defaults(func=run)


def asset_records(assets: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Assets as JSON-ready dicts with WGS84 lon/lat (6 decimal places, about 0.1 m)."""
    from assetmap.core.export.privacy import details_of, public_of  # the export package loads folium: not at start

    wgs = assets.geometry.to_crs(4326)
    out = []
    for rec, geom in zip(assets[list(ASSET_FIELD_NAMES)].to_dict("records"), wgs):
        item = {k: plain_value(v) for k, v in rec.items()}
        item["details"], item["public_details"] = details_of(item["details"]), public_of(item["public_details"])
        located = geom is not None and not geom.is_empty
        item["lon"] = round(geom.x, 6) if located else None
        item["lat"] = round(geom.y, 6) if located else None
        out.append(item)
    return out


def run(args: argparse.Namespace) -> int:
    with Project.open(args.project, readonly=True) as project:
        assets = project.assets()
        tax = project.taxonomy
    if args.category:
        assets = assets[assets["category"] == args.category]
    if args.unlocated:
        assets = assets[assets.geometry.isna()]
    records = asset_records(assets)
    if args.json:
        print_json(records)
        return 0
    for r in records:
        where = f"{r['lat']:.5f}, {r['lon']:.5f}" if r["lat"] is not None else "not placed"
        what = tax.label(r["kind"]) or tax.category_label(r["category"])
        print(f"{r['id'][:8]}  {r['name'][:40]:<40}  {what:<28}  {where}")
    print(f"{len(records)} assets")
    return 0
