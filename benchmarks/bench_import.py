"""Benchmark: importing a large spreadsheet of assets, against a bare geopandas load of the same file.

A generated CSV of N rows (half with repeated names such as "Playground", as OpenStreetMap and council
registers have, a few bad rows) is imported into a new project twice: the first time everything is new,
the second time everything is a duplicate. The baseline, timed in the same run, is what a short
script would do without any checking: pandas.read_csv, points_from_xy, to_crs, write a GeoPackage.
assetmap does more (encoding and separator sniffing, column guessing, CRS detection, validation of
every field, kind matching, de-duplication, a report for every row), so the ratio is the price of that.

Run: python3 benchmarks/bench_import.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assetmap.core.imports.pipeline import import_file
from assetmap.core.project import Project


def make_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    lines = ["name,type,latitude,longitude,capacity,email"]
    for i in range(rows):
        name = rng.choice(["Playground", "St Mary's Church", "Post office"]) if i % 2 else f"Asset {i}"
        kind = rng.choice(["playground", "church", "park", "library", "pub"])
        capacity = "lots" if i % 997 == 0 else str(rng.randint(10, 300))  # a few bad rows
        lines.append(f"{name},{kind},{53.3 + rng.random() * 0.3:.6f},{-2.5 + rng.random() * 0.4:.6f},{capacity},"
                     f"group{i}@example.org")
    path.write_text("\n".join(lines), encoding="utf-8")


def baseline(csv: Path, out: Path) -> int:
    frame = pd.read_csv(csv)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326)
    gdf.to_crs(27700).to_file(out, driver="GPKG", engine="pyogrio")
    return len(gdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "assets.csv"
        make_csv(csv, args.rows)
        project = folder / "p.gpkg"
        Project.create(project, 27700)
        with Project.open(project) as p:
            t0 = time.perf_counter()
            first = import_file(p, csv)
            t_first = time.perf_counter() - t0
            t0 = time.perf_counter()
            second = import_file(p, csv)
            t_second = time.perf_counter() - t0
        t0 = time.perf_counter()
        baseline(csv, folder / "plain.gpkg")
        t_base = time.perf_counter() - t0
    print(f"{args.rows:,} rows")
    print(f"assetmap import, new project:   {t_first:6.2f} s ({first.imported:,} imported, "
          f"{first.duplicates:,} duplicates, {first.rejected:,} rejected) = {args.rows / t_first:,.0f} rows/s")
    print(f"assetmap import, same file again: {t_second:6.2f} s ({second.duplicates:,} duplicates)")
    print(f"baseline (read_csv + points + to_crs + to_file, no checks): {t_base:6.2f} s")
    print(f"ratio assetmap / baseline: {t_first / t_base:.1f}x")


if __name__ == "__main__":
    main()
