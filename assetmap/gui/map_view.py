"""The map in the middle of the window: the export's Leaflet page in a QWebEngineView.

There is one rendering path: the page is ``render_webmap_html`` from the web export, with the
data left out and two trusted additions in its head, Qt's ``qwebchannel.js`` and our
``map_bridge.js`` (both inlined, so the page's Content-Security-Policy hashes cover them and no
file or network is needed). It is written to a temporary file and loaded from there, because
``setHtml`` refuses pages over 2 MB. Data goes through the channel, so the view keeps its zoom:
the whole data (``send_data_json``, after a rebuild, in 1 MB parts) or, after an edit, only what changed
(``send_changes``: at 50,000 assets a few hundred bytes instead of 15 MB). JavaScript calls the
``MapBridge`` slots; the view re-emits them as plain Qt signals in map coordinates (WGS84
latitude/longitude).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import deque
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QFile, QIODevice, QObject, QTemporaryDir, QTimer, QUrl, pyqtSignal, pyqtSlot
from PyQt6.QtWebChannel import QWebChannel
from PyQt6.QtWebEngineCore import QWebEnginePage
from PyQt6.QtWebEngineWidgets import QWebEngineView
from PyQt6.QtWidgets import QWidget

from assetmap.core.export.webmap import render_webmap_html

# Map data goes to the page in parts of this many characters: one 15 MB message held the window for 0.2 s
# while the channel encoded it, a 1 MB part takes about 10 ms, and the window answers between parts.
log = logging.getLogger(__name__)
PART_CHARS = 1_000_000
MAX_RENDERER_RESTARTS = 5  # a page that keeps crashing is not reloaded for ever
LIST_SLICE = 2000  # rows encoded per json.dumps call (see map_json)

# The desktop shows only the map: the window has its own title, list and layer panel.
DESKTOP_CSS = """<style>
.am-skip, .am-private, .am-header, .am-list, .am-footer, .leaflet-control-layers { display: none !important; }
html, body { height: 100%; overflow: hidden; }
.am-main, .am-map { height: 100vh !important; min-height: 0 !important; }
.am-legend { font-size: 12px; max-width: 230px; }
.am-score-tip { font-weight: bold; font-size: 12px; padding: 1px 4px; }
/* Adding or placing: every click reaches the map (no marker, cluster, footprint or neighbourhood takes it,
   so none opens a popup) and the pointer is a crosshair over all of them. */
.am-placing .leaflet-map-pane .leaflet-pane * { pointer-events: none !important; }
.leaflet-container.am-placing, .am-placing .leaflet-map-pane, .am-placing .leaflet-map-pane * {
  cursor: crosshair !important; }
</style>"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def map_json(data: Any) -> str:
    """Map data as the page reads it (no NaN: JSON has none).

    The long lists (asset rows, footprints, neighbourhoods) are encoded a slice at a time: one
    ``json.dumps`` call holds Python's GIL from start to end, and over 50,000 assets, done on the
    map's worker thread, that froze the window for 0.3 s. Between slices the GUI thread gets its turn.
    """
    if not isinstance(data, dict) or not isinstance(data.get("assets"), dict):
        return _dumps(data)
    lists = {"rows": data["assets"].get("rows"), "areas": data.get("areas"),
             "neighbourhoods": data.get("neighbourhoods")}
    lists = {k: v for k, v in lists.items() if isinstance(v, list) and len(v) > LIST_SLICE}
    if not lists:
        return _dumps(data)
    marks = {k: f"@@{uuid.uuid4().hex}@@" for k in lists}  # stand-ins no user text can contain
    shell = {**data, "assets": dict(data["assets"])}
    for key, mark in marks.items():
        (shell["assets"] if key == "rows" else shell)[key] = mark
    text = _dumps(shell)
    for key, items in lists.items():
        body = ", ".join(_dumps(items[i:i + LIST_SLICE])[1:-1] for i in range(0, len(items), LIST_SLICE))
        text = text.replace(f'"{marks[key]}"', f"[{body}]", 1)
    return text


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

    dataPart = pyqtSignal(str, int, int)  # Python → page: map data as JSON, in parts (text, index, count)
    changesReady = pyqtSignal(str)  # Python → page: some assets' new rows (see core/export/webpatch.py)
    pageLoaded = pyqtSignal()
    assetClicked = pyqtSignal(str, str)
    mapClicked = pyqtSignal(float, float)
    markerMoved = pyqtSignal(str, float, float)
    pointerMoved = pyqtSignal(float, float)
    basemapMissing = pyqtSignal()
    dataDrawn = pyqtSignal(int)
    changesDrawn = pyqtSignal(int)  # the page redrew this many assets from a change
    pageError = pyqtSignal(str, str)  # what the page was doing, the script error

    @pyqtSlot()
    def onPageReady(self) -> None:
        self.pageLoaded.emit()

    @pyqtSlot(str, str)
    def onAssetClick(self, asset_id: str, source: str) -> None:
        self.assetClicked.emit(asset_id, source)

    @pyqtSlot(float, float)
    def onMapClick(self, lat: float, lon: float) -> None:
        self.mapClicked.emit(lat, lon)

    @pyqtSlot(str, float, float)
    def onMarkerMoved(self, asset_id: str, lat: float, lon: float) -> None:
        self.markerMoved.emit(asset_id, lat, lon)

    @pyqtSlot(float, float)
    def onPointerMoved(self, lat: float, lon: float) -> None:
        self.pointerMoved.emit(lat, lon)

    @pyqtSlot()
    def onBasemapFailed(self) -> None:
        self.basemapMissing.emit()

    @pyqtSlot(int)
    def onDataShown(self, rows: int) -> None:
        log.debug("the page drew %d assets", rows)
        self.dataDrawn.emit(rows)

    @pyqtSlot(int)
    def onChangesShown(self, assets: int) -> None:
        self.changesDrawn.emit(assets)

    @pyqtSlot(str, str)
    def onPageError(self, doing: str, error: str) -> None:
        log.warning("map page error while %s: %s", doing, error)
        self.pageError.emit(doing, error)


class MapView(QWebEngineView):
    """Shows map data, selects and frames assets, and reports clicks, drags and the pointer."""

    rendererRestarted = pyqtSignal(bool)  # the page's process died and the map was reloaded (False: given up)

    def __init__(self, basemap: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = MapBridge(self)
        self._channel = QWebChannel(self)
        self._channel.registerObject("bridge", self.bridge)
        self.web_page().setWebChannel(self._channel)
        self.ready = False
        self._queue: list[str] = []
        self._data_json: str | None = None
        self._changes: list[str] = []  # sent since the data: a reloaded page gets the data, then these
        self._outbox: deque[tuple[str, int, int] | str] = deque()  # data parts and changes, sent in order
        self._sender = QTimer(self)
        self._sender.setInterval(0)
        self._sender.timeout.connect(self._send_next)
        self.page_loads = self.full_sends = self.change_sends = 0  # what went to the page (tests, benchmark)
        self._tmp = QTemporaryDir()
        self.bridge.pageLoaded.connect(self._on_ready)
        self.renderer_restarts = 0
        self.web_page().renderProcessTerminated.connect(self._renderer_ended)
        self.setToolTip("")
        self.setAccessibleName("Map of the assets")
        self.load_page(basemap)

    def web_page(self) -> QWebEnginePage:
        """The view's page: a QWebEngineView makes its own, though PyQt6 types ``page()`` as maybe None."""
        page = self.page()
        assert page is not None, "a QWebEngineView always has a page"
        return page

    def load_page(self, basemap: bool) -> None:
        """(Re)load the page, e.g. when the background map is switched on or off."""
        self.ready = False
        self.basemap = basemap
        path = Path(self._tmp.path()) / ("map-basemap.html" if basemap else "map-plain.html")
        path.write_text(desktop_page(basemap), encoding="utf-8")
        self.page_loads += 1
        self.load(QUrl.fromLocalFile(str(path)))

    def _renderer_ended(self, status: QWebEnginePage.RenderProcessTerminationStatus, _code: int) -> None:
        """The page's process was killed or crashed (e.g. short of memory): load the page again, which then
        gets the data and every change since, rather than leaving a blank map that ignores every edit."""
        if status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            return
        self.renderer_restarts += 1
        retry = self.renderer_restarts <= MAX_RENDERER_RESTARTS
        if retry:
            self.load_page(self.basemap)
        else:
            self.ready = False
        self.rendererRestarted.emit(retry)

    def _on_ready(self) -> None:
        self.ready = True
        self._outbox.clear()
        if self._data_json is not None:  # a new page: the data, then every change since
            self._post_data(self._data_json)
            self._outbox.extend(self._changes)
            self._sender.start()
        for code in self._queue:
            self.web_page().runJavaScript(code)
        self._queue.clear()

    def _js(self, code: str) -> None:
        if self.ready:
            self.web_page().runJavaScript(code)
        else:
            self._queue.append(code)

    # --- Python → page ------------------------------------------------------------------------

    def set_data(self, data: dict[str, Any]) -> None:
        """Send new map data; the page redraws and keeps its zoom (it fits the data the first time)."""
        self.send_data_json(map_json(data))

    def send_data_json(self, text: str) -> None:
        """Send map data already serialised (``map_json``, e.g. on a worker thread)."""
        self._data_json = text
        self._changes = []
        self.full_sends += 1
        self._outbox.clear()  # older data and changes not sent yet: this replaces them
        log.debug("map data out: %d characters, page %s", len(text), "ready" if self.ready else "loading")
        if self.ready:
            self._post_data(text)
            self._sender.start()

    def _post_data(self, text: str) -> None:
        count = max(1, -(-len(text) // PART_CHARS))
        self._outbox.extend((text[i * PART_CHARS:(i + 1) * PART_CHARS], i, count) for i in range(count))

    def _send_next(self) -> None:
        """One data part per turn of the event loop (the page joins them), then the changes behind them."""
        if not self._outbox or not self.ready:
            self._sender.stop()
            return
        item = self._outbox.popleft()
        if isinstance(item, tuple):
            self.bridge.dataPart.emit(*item)
            return
        self.bridge.changesReady.emit(item)
        while self._outbox and isinstance(self._outbox[0], str):
            self.bridge.changesReady.emit(self._outbox.popleft())

    def send_changes(self, change: dict[str, Any]) -> None:
        """Send an edit's assets (``patch_map_data``'s change); the page redraws only those."""
        if self._data_json is None:
            return  # nothing drawn yet: the data on its way will hold the edit
        text = map_json(change)
        self._changes.append(text)
        self.change_sends += 1
        if not self.ready:
            return
        if self._outbox:  # behind data still being sent
            self._outbox.append(text)
        else:  # straight away: an edit shows without waiting for the event loop
            self.bridge.changesReady.emit(text)

    def select_asset(self, asset_id: str, reveal: bool = True) -> None:
        """Select on the map; ``reveal`` zooms to it (a choice in the table), otherwise the view stays."""
        self._js(f"assetmapDesktop.select({json.dumps(asset_id)}, {'true' if reveal else 'false'})")

    def show_neighbourhood(self, code: str, geometry: dict[str, Any] | None) -> None:
        """Outline a neighbourhood (GeoJSON geometry in WGS84) and show it whole; None clears the outline."""
        if geometry is None:
            self._js("assetmapDesktop.clearHood()")
        else:
            self._js(f"assetmapDesktop.showHood({json.dumps(code)}, {map_json(geometry)})")

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
