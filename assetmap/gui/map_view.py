"""The map in the middle of the window: the export's Leaflet page in a QWebEngineView.

There is one rendering path: the page is ``render_webmap_html`` from the web export, with the
data left out and two trusted additions in its head, Qt's ``qwebchannel.js`` and our
``map_bridge.js`` (both inlined, so the page's Content-Security-Policy hashes cover them and no
file or network is needed). It is written to a temporary file and loaded from there, because
``setHtml`` refuses pages over 2 MB. Data changes go through the channel (``assetmap.setData``),
so the view keeps its zoom. JavaScript calls the ``MapBridge`` slots; the view re-emits them as
plain Qt signals in map coordinates (WGS84 latitude/longitude).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QFile, QIODevice, QObject, QTemporaryDir, QUrl, pyqtSignal, pyqtSlot
from PyQt6.QtWebChannel import QWebChannel
from PyQt6.QtWebEngineWidgets import QWebEngineView
from PyQt6.QtWidgets import QWidget

from assetmap.core.export.webmap import render_webmap_html

# The desktop shows only the map: the window has its own title, list and layer panel.
DESKTOP_CSS = """<style>
.am-skip, .am-private, .am-header, .am-list, .am-footer, .leaflet-control-layers { display: none !important; }
html, body { height: 100%; overflow: hidden; }
.am-main, .am-map { height: 100vh !important; min-height: 0 !important; }
.am-legend { font-size: 12px; max-width: 230px; }
.am-score-tip { font-weight: bold; font-size: 12px; padding: 1px 4px; }
</style>"""


def _qwebchannel_js() -> str:
    res = QFile(":/qtwebchannel/qwebchannel.js")
    if not res.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("Qt's qwebchannel.js resource is missing (is PyQt6-WebEngine installed?)")
    try:
        return bytes(res.readAll().data()).decode("utf-8")
    finally:
        res.close()


def desktop_page(basemap: bool) -> str:
    """The export page without data, plus the channel scripts and the desktop's CSS."""
    bridge = (Path(__file__).with_name("map_bridge.js")).read_text(encoding="utf-8")
    head = f"{DESKTOP_CSS}\n<script>{_qwebchannel_js()}</script>\n<script>{bridge}</script>"
    meta = {"title": "Map", "description": "", "exported": "", "attributions": []}
    return render_webmap_html({"meta": meta, "bounds": None}, basemap=basemap, embed_data=False, extra_head=head)


class MapBridge(QObject):
    """The object the page sees as ``channel.objects.bridge``: JavaScript calls the ``on…`` slots."""

    dataChanged = pyqtSignal(str)  # Python → page: the new map data as JSON
    pageLoaded = pyqtSignal()
    assetClicked = pyqtSignal(str, str)
    mapClicked = pyqtSignal(float, float)
    markerMoved = pyqtSignal(str, float, float)
    pointerMoved = pyqtSignal(float, float)
    basemapMissing = pyqtSignal()
    dataDrawn = pyqtSignal(int)

    @pyqtSlot()
    def onPageReady(self) -> None:  # noqa: N802 (JavaScript names)
        self.pageLoaded.emit()

    @pyqtSlot(str, str)
    def onAssetClick(self, asset_id: str, source: str) -> None:  # noqa: N802
        self.assetClicked.emit(asset_id, source)

    @pyqtSlot(float, float)
    def onMapClick(self, lat: float, lon: float) -> None:  # noqa: N802
        self.mapClicked.emit(lat, lon)

    @pyqtSlot(str, float, float)
    def onMarkerMoved(self, asset_id: str, lat: float, lon: float) -> None:  # noqa: N802
        self.markerMoved.emit(asset_id, lat, lon)

    @pyqtSlot(float, float)
    def onPointerMoved(self, lat: float, lon: float) -> None:  # noqa: N802
        self.pointerMoved.emit(lat, lon)

    @pyqtSlot()
    def onBasemapFailed(self) -> None:  # noqa: N802
        self.basemapMissing.emit()

    @pyqtSlot(int)
    def onDataShown(self, rows: int) -> None:  # noqa: N802
        self.dataDrawn.emit(rows)


class MapView(QWebEngineView):
    """Shows map data, selects and frames assets, and reports clicks, drags and the pointer."""

    def __init__(self, basemap: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = MapBridge(self)
        self._channel = QWebChannel(self)
        self._channel.registerObject("bridge", self.bridge)
        self.page().setWebChannel(self._channel)
        self.ready = False
        self._queue: list[str] = []
        self._data_json: str | None = None
        self._tmp = QTemporaryDir()
        self.bridge.pageLoaded.connect(self._on_ready)
        self.setToolTip("")
        self.setAccessibleName("Map of the assets")
        self.load_page(basemap)

    def load_page(self, basemap: bool) -> None:
        """(Re)load the page, e.g. when the background map is switched on or off."""
        self.ready = False
        self.basemap = basemap
        path = Path(self._tmp.path()) / ("map-basemap.html" if basemap else "map-plain.html")
        path.write_text(desktop_page(basemap), encoding="utf-8")
        self.load(QUrl.fromLocalFile(str(path)))

    def _on_ready(self) -> None:
        self.ready = True
        if self._data_json is not None:
            self.bridge.dataChanged.emit(self._data_json)
        for code in self._queue:
            self.page().runJavaScript(code)
        self._queue.clear()

    def _js(self, code: str) -> None:
        if self.ready:
            self.page().runJavaScript(code)
        else:
            self._queue.append(code)

    # --- Python → page ------------------------------------------------------------------------

    def set_data(self, data: dict[str, Any]) -> None:
        """Send new map data; the page redraws and keeps its zoom (it fits the data the first time)."""
        self._data_json = json.dumps(data, ensure_ascii=False, allow_nan=False)
        if self.ready:
            self.bridge.dataChanged.emit(self._data_json)

    def select_asset(self, asset_id: str) -> None:
        self._js(f"assetmapDesktop.select({json.dumps(asset_id)})")

    def set_add_mode(self, on: bool) -> None:
        self._js(f"assetmapDesktop.setAddMode({'true' if on else 'false'})")

    def show_pending(self, lat: float, lon: float) -> None:
        self._js(f"assetmapDesktop.showPending({lat!r}, {lon!r})")

    def clear_pending(self) -> None:
        self._js("assetmapDesktop.clearPending()")

    def fit_bounds(self, south: float, west: float, north: float, east: float) -> None:
        self._js(f"assetmapDesktop.fitBounds({south!r}, {west!r}, {north!r}, {east!r})")

    def set_scores(self, scores: dict[str, float]) -> None:
        """Ring the assessed buildings, shaded by score (0-100) with the number beside them."""
        self._js(f"assetmapDesktop.setScores({json.dumps(scores, allow_nan=False)})")

    def fit_all(self) -> None:
        self._js("assetmap.fitAll()")
