"""Benchmark: edits on the desktop map at N assets: time until the page shows them, and the window's
longest freeze meanwhile.

assetmap sends an edit (add, change, move, delete, undo, redo) to the page as a change naming only
its assets (``core/export/webpatch.py``), and builds whole map data on a worker thread. The baseline,
timed in the same run on the same window (after ours), is what every edit did before: build the whole map data
and refill the asset table on the GUI thread, then send all of it to the page, which redraws every
marker. The freeze is measured as the longest gap between ticks of a 5 ms QTimer on the GUI thread
(a heartbeat), from the edit until the page says it has drawn it. The store's own write (one SQLite
transaction, which also refreshes the layer's extent in gpkg_contents) is timed alone too, as it is
part of every edit's freeze with either way of redrawing.

Run: python3 benchmarks/bench_map_edits.py [--assets 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402
from PyQt6 import QtWebEngineWidgets  # noqa: E402, F401  (before the QApplication)
from PyQt6.QtCore import QCoreApplication, QEvent, QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from assetmap.core.export.webdata import build_map_data  # noqa: E402
from assetmap.core.project import Project  # noqa: E402

TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)
ONCE = {"move (a marker dragged)", "undo the move", "redo the move", "delete", "undo the delete", "add"}
KINDS = [("physical", "physical/community_centre"), ("economy", "economy/pub"), ("culture", "culture/arts_venue"),
         ("associations", "associations/sports_club"), ("institutions", "institutions/library")]


def make_project(path: Path, n: int, seed: int = 1) -> None:
    """100 neighbourhoods of 2 km squares, N assets with the fields a popup shows."""
    rng = random.Random(seed)
    x0, y0 = 400000, 280000
    cells = [shapely.box(x0 + i * 2000, y0 + j * 2000, x0 + (i + 1) * 2000, y0 + (j + 1) * 2000)
             for i in range(10) for j in range(10)]
    hoods = gpd.GeoDataFrame({"code": [f"E0100{k:04d}" for k in range(100)], "name": [f"Area {k}" for k in range(100)]},
                             geometry=cells, crs=27700)
    Project.create(path, 27700, name=f"Benchmark {n}", neighbourhoods=hoods)
    with Project.open(path) as project:
        for start in range(0, n, 5000):
            batch = [KINDS[i % len(KINDS)] for i in range(start, min(n, start + 5000))]
            project.add_assets(
                [{"name": f"{k.split('/')[1].replace('_', ' ').title()} {start + i}", "category": c, "kind": k,
                  "description": "A friendly place run by local volunteers.", "address": f"{i % 300 + 1} High Street",
                  "website": f"https://example.org/{start + i}", "opening_times": "Mon-Fri 9:00-17:00"}
                 for i, (c, k) in enumerate(batch)],
                [shapely.Point(x0 + rng.random() * 20000, y0 + rng.random() * 20000) for _ in batch])


class Heartbeat:
    """The longest gap between ticks of a fast timer on the GUI thread: how long the window froze."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last - self.interval)
        self.last = now

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return max(self.longest, 0.0)


def wait_for(signal: Any, action: Callable[[], None], timeout_s: float = 120) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    action()
    loop.exec()
    signal.disconnect(loop.quit)


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure(signal: Any, action: Callable[[], None]) -> tuple[float, float]:
    """(seconds until the page has drawn it, longest GUI freeze in seconds)."""
    beat = Heartbeat()
    beat.start()
    start = time.perf_counter()
    wait_for(signal, action)
    shown = time.perf_counter() - start
    return shown, beat.stop()


def edits(window: Any) -> list[tuple[str, Callable[[], None]]]:
    """The single edits a user makes, through the document as the form, a drag and Edit ▸ Undo do."""
    doc = window.doc
    asset_id = window.table.model.rows[100].id
    lon, lat = TO_WGS84.transform(410000, 290000)
    added: list[str] = []
    return [
        ("change a name", lambda: doc.update_asset(asset_id, {"name": "Renamed by the benchmark"})),
        ("move (a marker dragged)", lambda: window.map.bridge.onMarkerMoved(asset_id, lat, lon)),
        ("undo the move", window.menu_actions.undo.trigger),
        ("redo the move", window.menu_actions.redo.trigger),
        ("delete", lambda: doc.delete_asset(asset_id)),
        ("undo the delete", window.menu_actions.undo.trigger),
        ("add", lambda: added.append(doc.add_asset({"name": "New hall", "category": "physical"},
                                                   shapely.Point(405000, 285000)))),
    ]


def full_rebuild(window: Any) -> None:
    """The baseline: what each edit did before, all on the GUI thread (data, table, whole page)."""
    doc = window.doc
    data = build_map_data(doc.project, private=True)
    window.table.set_assets(doc.project.assets(), keep=doc.selected_id)
    window.layers.fill(data, [], None)
    window.map.set_data(window.layers.state.apply(data))


def store_write(path: Path, repeat: int) -> float:
    """One asset's update in the store alone (a second handle, as a worker has), median seconds."""
    project = Project.attach(path)
    try:
        asset_id = project.connection.execute("SELECT id FROM assets LIMIT 1 OFFSET 500").fetchone()[0]
        times = []
        for i in range(repeat * 3):
            start = time.perf_counter()
            project.update_asset(asset_id, {"name": f"Store write {i}"})
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        project.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="times each edit is measured (the median is shown)")
    args = parser.parse_args()
    app = QApplication(["bench_map_edits"])  # noqa: F841 (Qt needs one)
    from assetmap.gui.main_window import MainWindow
    from assetmap.gui.settings import AppSettings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gpkg"
        start = time.perf_counter()
        make_project(path, args.assets)
        print(f"Map edits with {args.assets:,} assets (project written in {time.perf_counter() - start:.1f} s)")
        settings = AppSettings(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        settings.set_basemap(False)
        window = MainWindow(settings)
        window.resize(1366, 768)
        window.show()
        bridge = window.map.bridge
        opened, freeze = measure(bridge.dataDrawn, lambda: window.open_project(path))
        print(f"  project opened and drawn in {opened:.1f} s (longest freeze {freeze * 1000:.0f} ms)")
        settle(1500)

        print(f"  {'assetmap (a change to the page)':<34} {'shown':>9} {'freeze':>9}")
        ours_shown, ours_freeze = [], []
        for label, action in edits(window):
            shown, frozen = [], []
            for _ in range(1 if label in ONCE else args.repeat):
                s, f = measure(bridge.changesDrawn, action)
                shown.append(s)
                frozen.append(f)
                settle()
            ours_shown.append(statistics.median(shown))
            ours_freeze.append(statistics.median(frozen))
            print(f"  {label:<34} {ours_shown[-1]:>7.3f} s {ours_freeze[-1] * 1000:>6.0f} ms")
        s, f = measure(bridge.dataDrawn, window.controller.refresh_map)
        print(f"  {'a whole rebuild (new gap results)':<34} {s:>7.3f} s {f * 1000:>6.0f} ms   (built on the worker)")
        base_shown, base_freeze = [], []  # timed after ours: its garbage would otherwise land in our edits' time
        for _ in range(args.repeat):
            s, f = measure(bridge.dataDrawn, lambda: full_rebuild(window))
            base_shown.append(s)
            base_freeze.append(f)
            settle()
        print(f"  {'baseline: any edit (full rebuild)':<34} {statistics.median(base_shown):>7.3f} s "
              f"{statistics.median(base_freeze) * 1000:>6.0f} ms   (median of {args.repeat})")
        write = store_write(path, args.repeat)
        worst, slowest = max(ours_freeze), max(ours_shown)
        print(f"  store write alone (one update, part of every edit's freeze either way): {write * 1000:.0f} ms")
        typical = statistics.median(ours_freeze)
        print(f"assetmap: slowest edit shown in {slowest:.3f} s, longest freeze {worst * 1000:.0f} ms, median freeze "
              f"{typical * 1000:.0f} ms ({(typical - write) * 1000:.0f} ms beyond the store write)")
        shown_ratio = statistics.median(base_shown) / statistics.median(ours_shown)
        freeze_ratio = statistics.median(base_freeze) / statistics.median(ours_freeze)
        print(f"ratio (baseline / assetmap, medians): shown {shown_ratio:.0f}x sooner, "
              f"freeze {freeze_ratio:.0f}x shorter")
        window.form.clear()
        window.close()
        window.deleteLater()  # the page must go before QtWebEngine's profile does, at exit
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


if __name__ == "__main__":
    main()
