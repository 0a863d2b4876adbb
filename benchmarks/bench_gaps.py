"""Benchmark: the whole default gap rule set at national scale, against a plain geopandas baseline.

Inputs: the 34,753 LSOAs (2011) of England and Wales (ONS, super-generalised, OGL; "Contains National
Statistics and OS data © Crown copyright and database right") from ../shared/data, and 200,000
generated assets: each sits at a random point inside a randomly chosen LSOA (so, like people, they
are densest where LSOAs are smallest: in towns), with a realistic mix of kinds, and parks, green
spaces and playing fields get irregular footprints with log-normal areas (median 1.2 ha).

It prints assetmap's time for the whole rule set (counts, four coverage rules, density, flags and
priority), the peak memory, and the baseline for the same area-coverage measure: buffer the
qualifying assets, union the buffers near each neighbourhood, intersect, divide areas. The baseline
takes minutes per rule, so it runs on a random sample of neighbourhoods and is extrapolated (it
says so); on that sample it also reports how far assetmap's coverage is from the baseline's.

Run: python3 benchmarks/bench_gaps.py [--assets 200000] [--baseline-sample 1500] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assetmap.core.analysis import GapOptions, analyse, default_rules
from assetmap.core.analysis.coverage import qualifying_targets
from assetmap.core.progress import Progress

LSOA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lsoa2011_england_wales_bsc" / "LSOA.geojson.gz"

KIND_MIX = {
    "physical/place_of_worship": 10, "physical/community_centre": 5, "physical/village_hall": 3,
    "physical/church_hall": 2, "associations/youth_club": 1.5, "physical/community_hub": 1,
    "institutions/library": 1.5, "physical/playground": 8, "physical/park": 5, "physical/green_space": 4,
    "physical/playing_field": 3, "economy/shop": 20, "economy/pub": 6, "economy/cafe": 6,
    "institutions/school": 8, "institutions/gp_surgery": 3, "institutions/pharmacy": 3,
    "associations/sports_club": 4, "physical/allotment": 2, "culture/heritage_site": 4,
}
GREEN = ("physical/park", "physical/green_space", "physical/playing_field")


def load_lsoas() -> gpd.GeoDataFrame:
    """The national LSOAs in British National Grid, the three invalid ones repaired."""
    frame = gpd.read_file(f"/vsigzip/{LSOA}", engine="pyogrio", columns=["LSOA11CD", "LSOA11NM"])
    frame = frame.to_crs(27700)
    bad = ~frame.geometry.is_valid
    frame.loc[bad, "geometry"] = shapely.make_valid(frame.geometry[bad].to_numpy())
    frame["geometry"] = [g if g.geom_type in ("Polygon", "MultiPolygon") else
                         shapely.union_all([p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")])
                         for g in frame.geometry]
    rng = np.random.default_rng(7)
    return gpd.GeoDataFrame({"code": frame["LSOA11CD"], "name": frame["LSOA11NM"],
                             "population": rng.integers(1000, 3000, len(frame)),
                             "imd_decile": rng.integers(1, 11, len(frame))}, geometry=frame.geometry, crs=27700)


def random_points_in(geoms: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random point inside each chosen polygon (rejection sampling in its bounding box)."""
    bounds = shapely.bounds(geoms)
    out = np.full((which.size, 2), np.nan)
    todo = np.arange(which.size)
    while todo.size:
        b = bounds[which[todo]]
        x = rng.uniform(b[:, 0], b[:, 2])
        y = rng.uniform(b[:, 1], b[:, 3])
        ok = shapely.contains_xy(geoms[which[todo]], x, y)
        out[todo[ok]] = np.column_stack([x[ok], y[ok]])
        todo = todo[~ok]
    return out


def make_assets(lsoas: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Assets and green-space footprints spread like real ones."""
    kinds = np.array(list(KIND_MIX))
    weights = np.array(list(KIND_MIX.values()), dtype=float)
    kind = rng.choice(kinds, size=n, p=weights / weights.sum())
    where = rng.integers(0, len(lsoas), n)
    xy = random_points_in(lsoas.geometry.to_numpy(), where, rng)
    ids = np.array([f"a{i}" for i in range(n)])
    assets = gpd.GeoDataFrame({"id": ids, "name": ids, "category": [k.split("/")[0] for k in kind], "kind": kind,
                               "visibility": "public"}, geometry=shapely.points(xy), crs=27700)
    green = np.flatnonzero(np.isin(kind, GREEN))
    area = np.exp(rng.normal(np.log(12_000), 1.4, green.size))
    angles = np.linspace(0, 2 * np.pi, 13)[:-1]
    radius = np.sqrt(area / np.pi)[:, None] * (1 + 0.25 * rng.uniform(-1, 1, (green.size, 12)))
    turn = rng.uniform(0, 2 * np.pi, green.size)[:, None]
    ring = np.stack([xy[green, 0:1] + radius * np.cos(angles + turn),
                     xy[green, 1:2] + radius * np.sin(angles + turn)], -1)
    polys = shapely.polygons(np.concatenate([ring, ring[:, :1]], axis=1))
    areas = gpd.GeoDataFrame({"asset_id": ids[green], "area_m2": shapely.area(polys)}, geometry=polys, crs=27700)
    return assets, areas


def baseline_coverage(nbhds: gpd.GeoSeries, targets: gpd.GeoSeries, distance: float) -> np.ndarray:
    """The straightforward way: buffer, union the buffers near each neighbourhood, intersect, divide."""
    buffers = targets.buffer(distance, quad_segs=16)
    index = buffers.sindex
    out = np.zeros(len(nbhds))
    for i, geom in enumerate(nbhds):
        near = index.query(geom, predicate="intersects")
        if len(near):
            out[i] = buffers.iloc[near].union_all().intersection(geom).area / geom.area
    return out


def peak_mb() -> float:
    """Peak resident memory of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_mb() -> float:
    """Peak resident memory of the largest worker process (they share the parent's pages copy-on-write,
    so the parent's peak plus this over-counts what the machine really used)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=200_000)
    parser.add_argument("--baseline-sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not LSOA.exists():
        sys.exit(f"{LSOA} is missing; see ../shared/data/lsoa2011_england_wales_bsc/SOURCE.md")
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    lsoas = load_lsoas()
    assets, areas = make_assets(lsoas, args.assets, rng)
    people = pd.DataFrame({"neighbourhood_code": pd.Series([], dtype=object)})
    rules = default_rules()
    print(f"inputs: {len(lsoas):,} LSOAs, {len(assets):,} assets, {len(areas):,} footprints "
          f"(prepared in {time.perf_counter() - t0:.1f} s; peak so far {peak_mb():.0f} MB)")

    t0, c0 = time.perf_counter(), cpu_seconds()
    result = analyse(lsoas, assets, areas, people, rules, options=GapOptions(), progress=Progress())
    ours, ours_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    ours_peak = peak_mb()
    print(f"assetmap, whole default rule set ({len(rules.rules)} rules): {ours:.2f} s wall, {ours_cpu:.2f} s CPU "
          f"(both cores, worker processes included); peak memory {ours_peak:.0f} MB, "
          f"largest worker process {worker_peak_mb():.0f} MB (shares the parent's pages)")

    sample = np.sort(rng.choice(len(lsoas), size=min(args.baseline_sample, len(lsoas)), replace=False))
    footprints = dict(zip(areas["asset_id"], areas.geometry))
    sizes = dict(zip(areas["asset_id"], areas["area_m2"]))
    base_total = 0.0
    errors = []
    for rule in rules.by_type("coverage"):
        targets = qualifying_targets(rule, assets, footprints, sizes)
        geoms = gpd.GeoSeries(targets.geometries, crs=27700)
        t0 = time.perf_counter()
        base = baseline_coverage(lsoas.geometry.iloc[sample], geoms, float(rule.distance_m or 0))
        spent = time.perf_counter() - t0
        whole = spent * len(lsoas) / len(sample)
        base_total += whole
        ours_cov = np.array([result.neighbourhoods[i]["coverage"][rule.id] for i in sample], dtype=float)
        err = np.abs(ours_cov - base)
        errors.append(err)
        print(f"  baseline {rule.id:<22} {len(targets):>6} targets: {spent:6.1f} s on {len(sample)} LSOAs "
              f"-> {whole:7.1f} s extrapolated to all; |assetmap - baseline| max {err.max() * 100:.3f} pp, "
              f"mean {err.mean() * 100:.4f} pp")
    print(f"baseline (coverage rules only, extrapolated from {len(sample)} of {len(lsoas)} LSOAs): {base_total:.1f} s")
    print(f"ratio baseline / assetmap: {base_total / ours:.1f}x "
          "(assetmap's time includes every rule, counts and flags)")
    print(f"coverage difference on the sample: max {np.concatenate(errors).max() * 100:.3f} pp "
          f"(assetmap rounds coverage to 4 decimals)")
    print(f"peak memory of the whole run: {peak_mb():.0f} MB (after assetmap: {ours_peak:.0f} MB)")


if __name__ == "__main__":
    main()
