"""Web map export: time, file size and time-to-interactive, against folium's default export.

    python benchmarks/bench_export.py [--sizes 1000 10000 50000] [--no-browser]

For each size a synthetic project is written (random assets over a 20 km square of Birmingham,
100 neighbourhoods with gap results). assetmap's export (``write_webmap``) is compared with what
folium does out of the box on the same points: one ``folium.Marker`` with a popup per asset, then
``Map.save``. Time to interactive is measured in headless Chromium from navigation start to the
page's markers being drawn (assetmap: its ready flag; folium: the load event), plus two frames.

folium's default page loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. To give it its
best case, those requests are answered from local copies fetched once with ``npm pack`` (as if
the CDN were instant); without them (offline) it draws no markers at all, which is also reported.
Basemap tiles are answered with a blank PNG for both pages.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from assetmap.core.export import write_webmap  # noqa: E402
from assetmap.core.project import Project  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
                       "rkJggg==")
CACHE = Path.home() / ".cache" / "assetmap-bench" / "cdn"
# CDN URL pattern -> (npm package@version, path inside the package); group 1 is the file path.
CDN = [
    (re.compile(r"https://cdn\.jsdelivr\.net/npm/(leaflet@[\d.]+)/(.+)$"), None),
    (re.compile(r"https://cdn\.jsdelivr\.net/npm/(bootstrap@[\d.]+)/(.+)$"), None),
    (re.compile(r"https://cdn\.jsdelivr\.net/npm/(@fortawesome/fontawesome-free@[\d.]+)/(.+)$"), None),
    (re.compile(r"https://code\.jquery\.com/jquery-([\d.]+)\.min\.js$"), ("jquery@{0}", "dist/jquery.min.js")),
    (re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/[\d.]+/(.+)$"),
     ("leaflet.awesome-markers@2.0.5", "dist/{0}")),
]
CATS = [("associations", "associations/voluntary_group"), ("institutions", "institutions/library"),
        ("physical", "physical/community_centre"), ("economy", "economy/shop"), ("culture", "culture/arts_venue")]


# --- synthetic project -----------------------------------------------------------------------

def make_project(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    x0, y0, side = 400000, 280000, 20000
    cells = [shapely.box(x0 + i * 2000, y0 + j * 2000, x0 + (i + 1) * 2000, y0 + (j + 1) * 2000)
             for i in range(10) for j in range(10)]
    hoods = gpd.GeoDataFrame({"code": [f"E0100{k:04d}" for k in range(100)], "name": [f"Area {k}" for k in range(100)],
                              "population": [1500] * 100, "imd_decile": [rng.randint(1, 10) for _ in range(100)]},
                             geometry=cells, crs=27700)
    Project.create(path, 27700, name=f"Benchmark {n}", neighbourhoods=hoods)
    with Project.open(path) as p:
        batch: list[dict[str, Any]] = []
        geoms: list[shapely.Geometry] = []
        for i in range(n):
            cat, kind = CATS[i % len(CATS)]
            batch.append({"name": f"{kind.split('/')[1].replace('_', ' ').title()} {i}", "category": cat, "kind": kind,
                          "description": "A friendly place run by local volunteers, open to everyone.",
                          "address": f"{i % 300 + 1} High Street", "postcode": "B19 1AA",
                          "website": f"https://example.org/{i}", "opening_times": "Mon-Fri 9:00-17:00",
                          "phone": "0121 496 0000", "notes": "private note",
                          "visibility": "private" if i % 20 == 0 else "public"})
            geoms.append(shapely.Point(x0 + rng.random() * side, y0 + rng.random() * side))
            if len(batch) == 5000:
                p.add_assets(batch, geoms)
                batch, geoms = [], []
        if batch:
            p.add_assets(batch, geoms)
        p.set_setting("gap_rules",
                      {"rules": [{"id": "meet", "title": "A place to meet", "distance_m": 800, "target": 0.9}]})
        with p.transaction() as conn:
            for k in range(100):
                conn.execute('INSERT INTO gap_results ("code", "result") VALUES (?, ?)', (f"E0100{k:04d}", json.dumps(
                    {"code": f"E0100{k:04d}", "coverage": {"meet": rng.random()}, "counts": {}, "priority": k + 1,
                     "flags": ([{"rule": "meet", "severity": "high", "message": "Few places to meet"}]
                               if k % 3 else [])})))


# --- the two exports -------------------------------------------------------------------------

def export_assetmap(project: Path, out: Path) -> float:
    start = time.perf_counter()
    with Project.open(project, readonly=True) as p:
        write_webmap(p, out)
    return time.perf_counter() - start


def export_folium_default(project: Path, out: Path) -> float:
    """folium as it comes: a Marker (with a popup) per public asset, saved with default settings."""
    start = time.perf_counter()
    with Project.open(project, readonly=True) as p:
        assets = p.assets(include_private=False).to_crs(4326)
    m = folium.Map(location=[assets.geometry.y.mean(), assets.geometry.x.mean()], zoom_start=12)
    for name, geom in zip(assets["name"], assets.geometry):
        folium.Marker([geom.y, geom.x], popup=name).add_to(m)
    m.save(str(out))
    return time.perf_counter() - start


# --- browser ---------------------------------------------------------------------------------

def _npm_file(spec: str, inner: str) -> bytes | None:
    folder = CACHE / spec.replace("/", "_")
    if not folder.exists():
        with tempfile.TemporaryDirectory() as tmp:
            try:
                out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", tmp], check=True,
                                     capture_output=True, text=True, cwd=tmp)
            except (OSError, subprocess.CalledProcessError):
                return None
            with tarfile.open(Path(tmp) / json.loads(out.stdout)[0]["filename"]) as tar:
                tar.extractall(folder, filter="data")
    path = folder / "package" / inner
    return path.read_bytes() if path.is_file() else None


def _cdn_body(url: str) -> bytes | None:
    for pattern, target in CDN:
        m = pattern.match(url.split("?")[0])
        if not m:
            continue
        if target is None:
            return _npm_file(m.group(1), m.group(2))
        spec, inner = target
        return _npm_file(spec.format(m.group(1)), inner.format(m.group(1)))
    return None


def _content_type(url: str) -> str:
    for ext, ctype in ((".js", "text/javascript"), (".css", "text/css"), (".png", "image/png"),
                       (".woff2", "font/woff2"), (".ttf", "font/ttf")):
        if url.split("?")[0].endswith(ext):
            return ctype
    return "application/octet-stream"


def time_to_interactive(browser: Any, path: Path, *, assetmap: bool, cdn: bool = True) -> tuple[float, int]:
    """Milliseconds from navigation start until the markers are drawn; and the markers drawn."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("file://"):
            r.continue_()
        elif "tile.openstreetmap.org" in url or ".tile." in url:
            r.fulfill(status=200, content_type="image/png", body=PNG)
        else:
            body = _cdn_body(url) if cdn else None
            if body is None:
                r.abort()
            else:
                r.fulfill(status=200, content_type=_content_type(url), body=body)

    page.route("**/*", route)
    # The moment markers are in the page: assetmap's ready event (it clusters asynchronously);
    # folium adds its markers synchronously in its inline script, so DOMContentLoaded.
    event = "assetmap:ready" if assetmap else "DOMContentLoaded"
    page.add_init_script(f"document.addEventListener('{event}', () => requestAnimationFrame(() => "
                         "window.__readyAt = performance.now()));")
    page.goto(path.as_uri(), wait_until="domcontentloaded", timeout=600_000)
    deadline = time.monotonic() + 600
    ms = None
    while ms is None and time.monotonic() < deadline:
        ms = page.evaluate("window.__readyAt === undefined ? null : window.__readyAt")
        if ms is None:
            time.sleep(0.02)
    drawn = page.evaluate("""() => document.querySelectorAll('.leaflet-marker-icon:not(.am-cluster)').length +
        Array.from(document.querySelectorAll('.am-cluster-count')).reduce((a, e) => a + Number(e.dataset.count), 0)""")
    ctx.close()
    return float(ms if ms is not None else float("nan")), int(drawn)


def warm_cdn_cache() -> None:
    """Fetch folium's CDN files once, before anything is timed."""
    for _, url in folium.Map.default_js + folium.Map.default_css:
        _cdn_body(url)


# --- main ------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    rows = []
    browser = pw = None
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        warm_cdn_cache()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in args.sizes:
                folder = Path(tmp) / str(n)
                folder.mkdir()
                t0 = time.perf_counter()
                make_project(folder / "p.gpkg", n)
                print(f"{n}: project written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
                ours_t = export_assetmap(folder / "p.gpkg", folder / "ours.html")
                base_t = export_folium_default(folder / "p.gpkg", folder / "folium.html")
                row = {"n": n, "ours_s": ours_t, "base_s": base_t,
                       "ours_mb": (folder / "ours.html").stat().st_size / 1e6,
                       "base_mb": (folder / "folium.html").stat().st_size / 1e6}
                if browser is not None:
                    row["ours_tti"], row["ours_drawn"] = time_to_interactive(browser, folder / "ours.html",
                                                                             assetmap=True)
                    row["base_tti"], row["base_drawn"] = time_to_interactive(browser, folder / "folium.html",
                                                                             assetmap=False)
                    _, row["ours_offline"] = time_to_interactive(browser, folder / "ours.html", assetmap=True,
                                                                 cdn=False)
                    _, row["base_offline"] = time_to_interactive(browser, folder / "folium.html", assetmap=False,
                                                                 cdn=False)
                rows.append(row)
                print(f"{n}: done", file=sys.stderr)
    finally:
        if browser is not None:
            browser.close()
            pw.stop()
    print_table(rows)
    return 0


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (f"{'assets':>7} | {'export s':>17} {'ratio':>6} | {'file MB':>15} {'ratio':>6} | "
            f"{'interactive ms':>19} {'ratio':>6} | {'markers drawn (CDN / offline)':>33}")
    print(head)
    print("-" * len(head))
    for r in rows:
        line = (f"{r['n']:>7} | {r['ours_s']:7.2f} vs {r['base_s']:6.2f} {r['ours_s'] / r['base_s']:6.2f} | "
                f"{r['ours_mb']:6.2f} vs {r['base_mb']:6.2f} {r['ours_mb'] / r['base_mb']:6.2f} |")
        if "ours_tti" in r:
            line += (f" {r['ours_tti']:8.0f} vs {r['base_tti']:8.0f} {r['ours_tti'] / r['base_tti']:6.2f} |"
                     f" {r['ours_drawn']:>6}/{r['ours_offline']:<6} vs {r['base_drawn']:>6}/{r['base_offline']:<6}")
        print(line)
    print("(assetmap vs folium default; ratio = assetmap / folium; markers drawn counts markers plus cluster counts)")


if __name__ == "__main__":
    sys.exit(main())
