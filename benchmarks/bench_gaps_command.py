"""Benchmark: the whole ``assetmap gaps`` command at national scale, as a user runs it, against a geopandas baseline.

Inputs (built once and cached in ``benchmarks/.cache/``, which git ignores): a real project GeoPackage with
the 34,753 LSOAs (2011) of England and Wales and 200,000 assets with green-space footprints, generated as
``bench_gaps.py`` does (same functions, imported), and a postcode lookup of about 1.7 million synthetic
postcode centres in OS Code-Point Open's layout (a folder with one CSV per postcode area, no header row),
remembered by the project as ``assetmap import --postcodes`` remembers a real one, so coverage is of homes.
Postcode centres sit at random points inside the LSOAs, about 49 to an LSOA (as in England and Wales:
about 1.5 million live postcodes), and one in 200 has no grid reference (quality 90: 0, 0), as in the real file.

It times, each in a fresh interpreter (``python3 -m assetmap ...``, as a user runs it): ``gaps PROJECT`` with
its output thrown away, and ``gaps PROJECT --json > /dev/null``, best and median of ``--repeat`` runs after
one untimed warm-up (the first run on a fresh project also copies the rules in). Wall time and CPU time (the
children's ``resource.getrusage``, so CPU / wall above 100% means both cores worked). Then where the time
goes, stage by stage, in one more fresh interpreter that does what ``cmd_gaps.run`` does, step by step:
imports, opening the project (its outside-edit and trust checks), reading the layers, homes, the analysis,
storing, and writing the JSON. Last, the indexed geopandas baseline for one coverage rule (``bench_gaps``'s
``baseline_coverage``: buffer, union the buffers near each neighbourhood, intersect, divide), on a random
sample of neighbourhoods extrapolated to all (``--baseline-sample 0``: every neighbourhood, slow), and the
ratio of that baseline to the whole command.

Targets (issue 12, point 7): the whole command under 10 s and at least 3x the baseline; ``--json`` adds
under 3 s.

Run: python3 benchmarks/bench_gaps_command.py [--assets 200000] [--postcodes 1700000] [--repeat 3]
     [--baseline-rule place_to_meet] [--baseline-sample 3000] [--rebuild] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# What one stage-timing run does: ``cmd_gaps.run``'s steps in order, each timed (run in a fresh interpreter).
_STAGES = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
marks = [("start", time.perf_counter(), cpu())]
def mark(name):
    marks.append((name, time.perf_counter(), cpu()))
import argparse
from assetmap.cli import build_parser
parser = build_parser()
from assetmap.cli.cmd_gaps import run as _run
from assetmap.cli.common import print_json
from assetmap.core.analysis import GapOptions
from assetmap.core.analysis.run import analyse, store_results, with_homes
from assetmap.core.analysis.rules import project_rules
from assetmap.core.project import Project
mark("imports (assetmap and its libraries, the command line)")
args = parser.parse_args(["gaps", sys.argv[1], "--json"])
project = Project.open(args.project)
mark("open (lock, schema, trust and outside-edit checks)")
rules = project_rules(project)
options, notes = with_homes(project, GapOptions())
mark("homes (read the postcode lookup, transform)")
frames = (project.neighbourhoods(), project.assets(), project.asset_areas(), project.people())
mark("read layers (neighbourhoods, assets, footprints, people)")
result = analyse(*frames, rules, options=options, taxonomy=project.taxonomy)
mark("analysis (placing homes, counts, coverage, flags, priority)")
store_results(project, result)
mark("store (gap_results, settings)")
project.close()
mark("close")
published = result.published()
doc = published.to_json()
def to_null(compact):
    with open("/dev/null", "w", encoding="utf-8") as sink:
        real, sys.stdout = sys.stdout, sink
        try:
            print_json(doc, compact=compact)
        finally:
            sys.stdout = real
to_null(True)
mark("JSON, compact (--json: to_json and print_json to /dev/null)")
to_null(False)
mark("JSON, indented (--pretty; what --json wrote before)")
out = []
for (_, t0, c0), (name, t1, c1) in zip(marks, marks[1:]):
    out.append([name, t1 - t0, c1 - c0])
print(json.dumps(out))
"""


def children_cpu() -> float:
    """CPU seconds of all finished child processes so far (user and system)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


HOMES_CACHE = CACHE / "homes-kept"  # where the runs keep the homes read from the lookup (ASSETMAP_CACHE_DIR)


def timed(argv: list[str], *, stdout: int | None = subprocess.DEVNULL) -> tuple[float, float, bytes]:
    """(wall s, CPU s, stdout) of one child process; fails loudly when it does."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "ASSETMAP_CACHE_DIR": str(HOMES_CACHE)}
    c0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=ROOT, check=False)
    wall, cpu = time.perf_counter() - t0, children_cpu() - c0
    if proc.returncode:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    return wall, cpu, proc.stdout or b""


# --- the inputs ----------------------------------------------------------------------------------------------

_AREAS = sorted({a + b for a in string.ascii_uppercase for b in string.ascii_uppercase[:8]}
                | set(string.ascii_uppercase) - {"Q", "V", "X", "Z"})[:124]
_UNITS = [a + b for a in "ABDEFGHJLNPQRSTUWXYZ" for b in "ABDEFGHJLNPQRSTUWXYZ"]  # 400, as Royal Mail's letters


def write_postcodes(folder: Path, lsoas: object, n: int, rng: object) -> int:
    """About ``n`` synthetic postcode centres inside the LSOAs, Code-Point Open's layout, one CSV per area."""
    import numpy as np
    from bench_gaps import random_points_in

    assert isinstance(rng, np.random.Generator)
    geoms = lsoas.geometry.to_numpy()  # type: ignore[attr-defined]
    where = rng.integers(0, len(geoms), n)
    xy = np.rint(random_points_in(geoms, where, rng)).astype(np.int64)
    none = rng.random(n) < 0.005  # quality 90: no grid reference
    xy[none] = 0
    # Postcodes near one another share an area and a district, as real ones do: sort by a coarse grid cell.
    order = np.lexsort((xy[:, 0] // 4000, xy[:, 1] // 4000))
    xy, none = xy[order], none[order]
    folder.mkdir(parents=True, exist_ok=True)
    per_area = -(-n // len(_AREAS))
    written = 0
    for a, area in enumerate(_AREAS):
        chunk = slice(a * per_area, min(n, (a + 1) * per_area))
        rows = []
        for j, ((x, y), bad) in enumerate(zip(xy[chunk].tolist(), none[chunk].tolist())):
            district, rest = divmod(j, 10 * len(_UNITS))
            sector, unit = divmod(rest, len(_UNITS))
            code = f"{area}{district + 1} {sector}{_UNITS[unit]}"
            rows.append(f'"{code}",{90 if bad else 10},{x},{y},"E92000001","E19000001","E18000002","",'
                        f'"E08000009","E05000819"\n')
        (folder / f"{area.lower()}.csv").write_text("".join(rows), encoding="utf-8")
        written += len(rows)
    return written


def build(path: Path, lookup: Path, n_assets: int, n_postcodes: int, seed: int) -> None:
    """The project file and its postcode lookup (slow: a few minutes, once)."""
    import numpy as np
    from bench_gaps import load_lsoas, make_assets

    from assetmap.core.project import Project
    from assetmap.core.project.lookups import LOOKUPS_SETTING

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    lsoas = load_lsoas()
    assets, areas = make_assets(lsoas, n_assets, rng)
    footprint = dict(zip(areas["asset_id"], areas.geometry))
    for p in (path, path.with_name(path.name + ".lock")):
        p.unlink(missing_ok=True)
    Project.create(path, 27700, name="National benchmark", neighbourhoods=lsoas)
    print(f"  project with {len(lsoas):,} LSOAs written ({time.perf_counter() - t0:.0f} s)", flush=True)
    with Project.open(path) as project:
        records = assets.drop(columns="geometry").to_dict("records")
        geoms = assets.geometry.tolist()
        step = 20_000
        for start in range(0, len(records), step):
            batch = records[start:start + step]
            project.add_assets(batch, geoms[start:start + step], [footprint.get(r["id"]) for r in batch])
        print(f"  {len(records):,} assets and {len(areas):,} footprints added ({time.perf_counter() - t0:.0f} s)",
              flush=True)
        written = write_postcodes(lookup, lsoas, n_postcodes, rng)
        project.set_setting(LOOKUPS_SETTING, [str(lookup)])
    print(f"  {written:,} postcode centres written to {lookup} ({time.perf_counter() - t0:.0f} s)", flush=True)


def inputs(args: argparse.Namespace) -> Path:
    """The cached project (built when missing, changed in size or seed, or with --rebuild)."""
    tag = f"{args.assets}a_{args.postcodes}p_s{args.seed}"
    path = CACHE / f"national_{tag}.gpkg"
    lookup = CACHE / f"codepoint_{tag}"
    stamp = CACHE / f"national_{tag}.done"
    if args.rebuild or not stamp.exists() or not path.exists() or not lookup.exists():
        CACHE.mkdir(exist_ok=True)
        (CACHE / ".gitignore").write_text("*\n", encoding="utf-8")
        stamp.unlink(missing_ok=True)
        print(f"building the inputs in {CACHE} (once) ...", flush=True)
        build(path, lookup, args.assets, args.postcodes, args.seed)
        stamp.write_text(json.dumps(vars(args), default=str), encoding="utf-8")
    return path


# --- the measurements ----------------------------------------------------------------------------------------

def command_times(project: Path, extra: list[str], repeat: int) -> list[tuple[float, float]]:
    argv = [sys.executable, "-m", "assetmap", "gaps", str(project), *extra]
    timed(argv)  # warm-up: the page cache, and the first run's copy of the rules
    return [timed(argv)[:2] for _ in range(repeat)]


def first_run(project: Path) -> None:
    """One run with no homes kept from an earlier run: what the first run after a new lookup costs."""
    import shutil

    shutil.rmtree(HOMES_CACHE, ignore_errors=True)
    wall, cpu, _ = timed([sys.executable, "-m", "assetmap", "gaps", str(project)])
    print(f"{'first run (the lookup read, homes kept)':<34} {wall:6.2f} s wall, {cpu:6.2f} s CPU")


def describe(label: str, runs: list[tuple[float, float]]) -> tuple[float, float]:
    walls = [w for w, _ in runs]
    best = min(runs)
    median = statistics.median(walls)
    print(f"{label:<34} best {best[0]:6.2f} s wall, {best[1]:6.2f} s CPU ({best[1] / best[0]:4.0%} of one core); "
          f"median {median:6.2f} s of {len(runs)}")
    return best[0], median


def stage_times(project: Path) -> None:
    _, _, out = timed([sys.executable, "-c", _STAGES, str(project)], stdout=subprocess.PIPE)
    stages = json.loads(out.decode().strip().splitlines()[-1])
    total_wall = sum(s[1] for s in stages[:-1])  # the last, --pretty, is not part of the command
    total_cpu = sum(s[2] for s in stages[:-1])
    print("where the time goes (one run, a fresh interpreter; CPU of the main process only):")
    for name, wall, cpu in stages:
        print(f"  {name:<62} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    print(f"  {'in all (without --pretty)':<62} {total_wall:6.2f} s wall {total_cpu:6.2f} s CPU")


def baseline(project: Path, rule_id: str, sample_size: int, seed: int) -> float:
    """The indexed geopandas baseline for one rule (extrapolated from a sample unless ``sample_size`` is 0)."""
    import geopandas as gpd
    import numpy as np
    from bench_gaps import baseline_coverage

    from assetmap.core.analysis import default_rules
    from assetmap.core.analysis.coverage import qualifying_targets
    from assetmap.core.project import Project

    with Project.open(project, readonly=True) as p:
        hoods, assets, areas = p.neighbourhoods(), p.assets(), p.asset_areas()
    rule = next(r for r in default_rules().rules if r.id == rule_id)
    targets = qualifying_targets(rule, assets, dict(zip(areas["asset_id"], areas.geometry)),
                                 dict(zip(areas["asset_id"], areas["area_m2"])))
    geoms = gpd.GeoSeries(targets.geometries, crs=27700)
    rng = np.random.default_rng(seed)
    n = len(hoods)
    sample = np.arange(n) if not sample_size or sample_size >= n else np.sort(rng.choice(n, sample_size, False))
    t0 = time.perf_counter()
    baseline_coverage(hoods.geometry.iloc[sample], geoms, float(rule.distance_m or 0))
    spent = time.perf_counter() - t0
    whole = spent * n / len(sample)
    how = "all" if len(sample) == n else f"{len(sample):,} of {n:,} LSOAs, extrapolated"
    print(f"baseline, one rule ({rule.id}, {len(targets):,} targets, {rule.distance_m:.0f} m): "
          f"{spent:.1f} s on {how} -> {whole:.1f} s")
    return whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=200_000)
    parser.add_argument("--postcodes", type=int, default=1_700_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rule", default="place_to_meet")
    parser.add_argument("--baseline-sample", type=int, default=3000, help="0: every neighbourhood")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the inputs again")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-stages", action="store_true")
    args = parser.parse_args()
    project = inputs(args)
    size = project.stat().st_size / 1e6
    print(f"project {project.name}: {size:.0f} MB, {args.assets:,} assets, ~{args.postcodes:,} postcode centres; "
          f"{os.cpu_count()} cores")

    first_run(project)
    plain, plain_median = describe("assetmap gaps PROJECT", command_times(project, [], args.repeat))
    as_json, json_median = describe("assetmap gaps PROJECT --json", command_times(project, ["--json"], args.repeat))
    _, _, out = timed([sys.executable, "-m", "assetmap", "gaps", str(project), "--json"], stdout=subprocess.PIPE)
    lines = out.count(b"\n")
    print(f"--json adds {as_json - plain:.2f} s (best), {json_median - plain_median:.2f} s (median); "
          f"its output is {len(out) / 1e6:.1f} MB on {lines:,} line{'s' if lines != 1 else ''}")
    if not args.no_stages:
        stage_times(project)
    if not args.no_baseline:
        base = baseline(project, args.baseline_rule, args.baseline_sample, args.seed)
        print(f"ratio baseline (one rule) / whole command: {base / plain:.1f}x (best), {base / plain_median:.1f}x "
              f"(median); with --json {base / as_json:.1f}x")
    print("targets: whole command < 10 s and >= 3x the baseline; --json adds < 3 s")


if __name__ == "__main__":
    main()
