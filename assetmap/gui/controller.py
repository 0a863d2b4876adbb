"""Connects the map, the table, the form and the gap table to the document: shared selection and editing.

Each handler is a line or two that calls the document (which calls the core); the only
computation here is turning the map's latitude/longitude into a point in the project's CRS.

``MapFeed`` keeps the map's data current. A rebuild (a project opened, new gap results, another
shading) runs ``build_map_data`` on a worker thread with its own project handle, and is serialised
there too; an edit, undo or redo sends the page only the assets the document's ``Changes`` name
(``patch_map_data``), so at 50,000 assets an edit costs milliseconds rather than seconds, and the
view never moves for either. Only an explicit "show on map" (a choice in the table, the search,
the gap table) moves it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import shapely
from pyproj import CRS
from PyQt6.QtCore import QObject, QTimer
from PyQt6.QtWidgets import QMessageBox

from assetmap.core.analysis.rules import project_rules
from assetmap.core.analysis.run import RUN_SETTING, stored_results
from assetmap.core.errors import AssetmapError
from assetmap.core.export.webdata import build_map_data, geometry_json
from assetmap.core.export.webpatch import layer_summary, patch_map_data, read_assets, snapshot
from assetmap.core.io.coords import transformer
from assetmap.core.progress import Progress
from assetmap.core.project.changes import Changes
from assetmap.core.project.extent import AreaCheck, AreaIndex, area_index
from assetmap.core.project.store import Project
from assetmap.gui.jobs import JobRunner
from assetmap.gui.layers_panel import AUTO, LayerState
from assetmap.gui.map_view import map_json
from assetmap.gui.shell import Shell
from assetmap.gui.unsaved import UnsavedGuard

log = logging.getLogger(__name__)

WGS84 = CRS.from_epsg(4326)


def _coverage_rules(project: Project) -> list[tuple[str, str]]:
    try:
        return [(r.id, r.title) for r in project_rules(project).by_type("coverage")]
    except AssetmapError:
        return []


@contextmanager
def _no_collections() -> Iterator[None]:
    """No cyclic garbage collection while a worker builds map data (which makes no cycles).

    Building 50,000 assets' data makes about a million small objects, and each full collection the
    allocations set off walked them all while holding the GIL: the window froze for 0.1-0.15 s each time.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _flagged(results: list[dict[str, Any]]) -> tuple[int, int] | None:
    """(any gap, outlined): how many neighbourhoods have a gap, and how many the map outlines, once analysed.

    ``results`` are the map data's neighbourhoods or the stored gap results (the same keys). Runs stored
    before the map outlined only those needing attention most are outlined for a medium or high gap."""
    if not any("coverage" in h for h in results):
        return None
    if any("attention" in h for h in results):
        outlined = sum(1 for h in results if h.get("attention"))
    else:
        outlined = sum(1 for h in results if any(f.get("severity") != "low" for f in h.get("flags") or []))
    return sum(1 for h in results if h.get("flags")), outlined


class MapFeed(QObject):
    """Builds and sends the map's data: whole on a worker thread, and an edit's assets as a change.

    ``data`` is the full (private) map data behind the page, kept current edit by edit, so that a
    layer toggle can be served from it. Requests to the worker are numbered: only the newest one's
    result is used, and the assets edited while a request was out are patched into its result.
    """

    def __init__(self, window: Shell) -> None:
        super().__init__(window.widget())
        self.w = window
        self.data: dict[str, Any] | None = None
        self._summary: dict[str, Any] | None = None  # the layers' counts before the data is built
        self.jobs = JobRunner(self)  # its own worker thread: a rebuild never waits behind an import, nor one behind it
        self._latest = 0
        self._rebuilding = 0  # the number of the rebuild on its way, if any
        self._edited: dict[int, set[str]] = {}  # per request on its way: the assets edited since it was made
        self._layer_info: tuple[list[tuple[str, str]], tuple[int, int] | None] = ([], None)
        self.rebuild_timer = QTimer(self)  # coalesces the rebuilds one user action asks for
        self.rebuild_timer.setSingleShot(True)
        self.rebuild_timer.setInterval(0)
        self.rebuild_timer.timeout.connect(self.rebuild)

    def reset(self) -> None:
        """A project opened or closed: forget the data and any result still on its way."""
        self.data = None
        self._summary = None
        self._latest += 1
        self._rebuilding = 0
        self._edited.clear()

    def show_rules(self, rules: list[tuple[str, str]], results: list[dict[str, Any]]) -> None:
        """New gap results or rules: the layer panel says so now; the shading follows when the data is built."""
        self._layer_info = (rules, _flagged(results))
        self._fill_layers()

    def shutdown(self) -> None:
        self.reset()
        self.jobs.shutdown()

    def _request(self, title: str, fn: Callable[[Project | None, Progress], Any],
                 done: Callable[[Any, set[str]], None], with_project: bool) -> int:
        doc = self.w.doc
        assert doc is not None
        self._latest += 1
        seq = self._latest
        self._edited[seq] = set()
        handle = self.jobs.run(title, fn, project=doc.project if with_project else None, dialog=False)
        handle.succeeded.connect(lambda result: self._arrived(seq, doc, result, done))
        handle.failed.connect(lambda message: self._failed(seq, message))
        handle.cancelled.connect(lambda: self._edited.pop(seq, None))
        log.debug("map request %d: %s (%s)", seq, fn.__name__, "rebuild" if with_project else "from the data")
        return seq

    def _arrived(self, seq: int, doc: Any, result: Any, done: Callable[[Any, set[str]], None]) -> None:
        edited = self._edited.pop(seq, set())
        if seq == self._rebuilding:
            self._rebuilding = 0
        if seq == self._latest and doc is self.w.doc:  # otherwise a newer request is on its way
            log.debug("map request %d arrived: drawn", seq)
            done(result, edited)
        else:
            log.debug("map request %d arrived: superseded by %d", seq, self._latest)

    def _failed(self, seq: int, message: str) -> None:
        log.warning("map request %d failed: %s", seq, message)
        self._edited.pop(seq, None)
        if seq == self._rebuilding:
            self._rebuilding = 0
        self.w.status_bar().showMessage(f"The map could not be drawn: {message}", 15000)

    def rebuild(self) -> None:
        """Build the map data again with the export's own builder (private mode: this is the team's view)."""
        if self.w.doc is None:
            return
        state = self.w.layers.state
        requested = None if state.indicator in (AUTO, None) else state.indicator
        view = LayerState(set(state.hidden), state.indicator)

        def build(project: Project | None, progress: Progress) -> tuple[Any, ...]:
            with _no_collections():
                try:
                    data = build_map_data(project, private=True, indicator=requested, progress=progress)
                except AssetmapError:  # the chosen rule has no results (yet): shade by the export's own choice
                    data = build_map_data(project, private=True, progress=progress)
                    view.indicator = AUTO
                if view.indicator == AUTO and data.get("indicator"):
                    view.indicator = data["indicator"]
                if view.indicator is None:
                    data["indicator"] = None
                assert project is not None
                return data, view.indicator, _coverage_rules(project), map_json(view.apply(data))

        self._rebuilding = self._request("Drawing the map", build, self._built, with_project=True)

    def _built(self, result: tuple[Any, ...], edited: set[str]) -> None:
        data, shading, rules, text = result
        self.w.layers.state.indicator = shading
        self.data = data
        self._layer_info = (rules, _flagged(data["neighbourhoods"]))
        self._fill_layers()
        self.w.map.send_data_json(text)
        if edited:  # edits made while it was built: it may or may not hold them
            self.patch(edited)

    def show(self) -> None:
        """Show the layers ticked in the panel: the data already built, unless the shading changed."""
        state = self.w.layers.state
        if self.w.doc is None:
            return
        if self.data is None or self._rebuilding or state.indicator not in (None, AUTO, self.data.get("indicator")):
            self.rebuild()
            return
        if state.indicator != AUTO:  # AUTO: the built data already holds the export's own choice
            self.data["indicator"] = state.indicator
        shown, view = snapshot(self.data), LayerState(set(state.hidden), state.indicator)

        def serialise(_project: Project | None, _progress: Progress) -> str:
            with _no_collections():
                return map_json(view.apply(shown))

        self._request("Drawing the map", serialise, self._sent, with_project=False)

    def _sent(self, text: str, edited: set[str]) -> None:
        self.w.map.send_data_json(text)
        if edited:
            self.patch(edited)

    def patch(self, ids: Iterable[str], assets: gpd.GeoDataFrame | None = None) -> None:
        """After an edit, undo or redo: send the page just these assets as they now are (``assets``: read already)."""
        doc, ids = self.w.doc, set(ids)
        for waiting in self._edited.values():
            waiting |= ids
        if doc is None or not ids:
            return
        if self.data is None:
            if not self._edited:  # nothing on its way that would hold the edit
                self.rebuild_timer.start()
            return
        change = patch_map_data(doc.project, self.data, ids, assets=assets)
        if change is None:  # a category the map has no entry for: build it again
            self.rebuild_timer.start()
            return
        self._fill_layers()
        self.w.map.send_changes(self._visible(change))

    def _visible(self, change: dict[str, Any]) -> dict[str, Any]:
        """The change as the page shows it: assets in layers unticked in the panel are taken off."""
        assert self.data is not None
        hidden = {i for i, c in enumerate(self.data["categories"]) if c["id"] in self.w.layers.state.hidden}
        if not hidden:
            return change
        shown = [r for r in change["upsert"] if r[2] not in hidden]
        kept = {r[0] for r in shown}
        taken_off = [r[0] for r in change["upsert"] if r[2] in hidden]
        return {**change, "upsert": shown, "remove": change["remove"] + taken_off,
                "areas": {i: g for i, g in change["areas"].items() if i in kept}}

    def _fill_layers(self) -> None:
        """The layer panel's counts: from the map data, or from two quick counts while it is being built."""
        shown = self.data
        if shown is None and self.w.doc is not None:
            if self._summary is None:
                self._summary = layer_summary(self.w.doc.project)
            shown = self._summary
        if shown is not None:
            rules, flagged = self._layer_info
            self.w.layers.fill(shown, rules if flagged is not None else [], flagged)

    def neighbourhood_geometry(self, code: str) -> dict[str, Any] | None:
        """A neighbourhood's web geometry: from the map data, or read from the project before it is built."""
        if self.data is not None:
            for hood in self.data["neighbourhoods"]:
                if hood["code"] == code:
                    geometry: dict[str, Any] | None = hood.get("g")
                    return geometry
        doc = self.w.doc
        if doc is None:
            return None
        hoods = doc.project.neighbourhoods()
        match = hoods[hoods["code"].astype(str) == code]
        return geometry_json(match.to_crs(4326).geometry.iloc[0]) if not match.empty else None


class Controller(QObject):
    """Owns the editing modes (adding, placing) and keeps every panel in step with the document."""

    def __init__(self, window: Shell) -> None:
        super().__init__(window.widget())
        self.w = window
        self.mode = ""  # "" | "add" | "place"
        self.place_id = ""
        self.pending_point: shapely.Point | None = None
        self.feed = MapFeed(window)
        self._reveal = True  # the next selection shows the asset (not when it was clicked on the map)
        self._areas: AreaIndex | None = None
        self._areas_for: Any = None  # the document the index is of
        self.outside_question: QMessageBox | None = None
        self.unsaved = UnsavedGuard(window)  # typed, unsaved form changes are asked about before any reselection
        bridge = window.map.bridge
        bridge.assetClicked.connect(self.on_asset_clicked)
        bridge.mapClicked.connect(self.on_map_clicked)
        bridge.markerMoved.connect(self.on_marker_moved)
        window.table.assetSelected.connect(self.select)
        window.table.placeRequested.connect(self.start_place)
        window.form.saveRequested.connect(self.on_save)
        window.form.addRequested.connect(self.on_add)
        window.form.deleteRequested.connect(self.delete)
        window.form.cancelRequested.connect(self.cancel_mode)
        window.gaps.neighbourhoodSelected.connect(self.zoom_to_neighbourhood)
        window.layers.changed.connect(self.show_layers)

    # --- document → panels -----------------------------------------------------------------------

    def attach(self) -> None:
        doc = self.w.doc
        assert doc is not None
        self.feed.reset()
        self._areas = None
        doc.changed.connect(self.on_changes)
        doc.gapsChanged.connect(self.on_gaps_changed)
        doc.selectionChanged.connect(self.on_selection)
        self.w.table.set_assets(doc.assets())
        self.on_gaps_changed()

    def detach(self) -> None:
        """The project is closing: stop building its map."""
        self.feed.shutdown()
        self._areas = None

    def on_changes(self, changes: Changes) -> None:
        """Refresh what an edit, undo, redo or job changed, and only that."""
        doc = self.w.doc
        assert doc is not None
        present = None
        if changes.all_assets:
            self.w.table.set_assets(doc.assets(), keep=doc.selected_id)
        elif changes.assets:
            present = read_assets(doc.project, changes.assets)  # read once, for the table and the map
            self.w.table.update_assets(present, set(changes.assets) - set(present["id"]), keep=doc.selected_id)
        if changes.neighbourhoods:
            self._areas = None
        selected = doc.selected_id
        if selected and (changes.all_assets or selected in changes.assets):
            try:
                record = doc.asset(selected)
            except AssetmapError:  # it was deleted (or its addition undone): with typing in the form, asked first
                if not self.unsaved.asset_removed(selected):
                    doc.select("")
            else:
                self.w.form.refresh_asset(record)  # what is typed and not saved stays
        if changes.all_assets or changes.neighbourhoods:
            self.feed.rebuild_timer.start()
        elif changes.assets:
            self.feed.patch(changes.assets, present)

    def on_gaps_changed(self) -> None:
        doc = self.w.doc
        assert doc is not None
        try:
            rules = [(r.id, r.title) for r in project_rules(doc.project).by_type("coverage")]
        except AssetmapError:
            rules = []
        results = stored_results(doc.project)
        run = doc.project.get_setting(RUN_SETTING) or {}
        notices = [str(n) for n in run.get("notices") or []] if isinstance(run, dict) else []
        self.w.gaps.set_results(results, rules, run.get("run_at"), notices)
        self.w.charts.set_results(results, rules, doc.project.taxonomy)
        self.feed.show_rules(rules, results)
        self.feed.rebuild_timer.start()

    def refresh_map(self) -> None:
        """Build the map data again (off the GUI thread); the page keeps its view."""
        self.feed.rebuild()

    def show_layers(self) -> None:
        """Redraw from the data already built unless the shading rule changed (that needs new data)."""
        self.feed.show()

    # --- selection -------------------------------------------------------------------------------

    def select(self, asset_id: str) -> None:
        """A choice in the table (or a search in it): select and show it on the map."""
        if self.w.doc is not None:
            self.unsaved.then(asset_id, lambda: self._select(asset_id, True))

    def on_asset_clicked(self, asset_id: str, source: str) -> None:
        if self.mode or self.w.doc is None:
            return
        # clicked on the map: it is in view, and the view stays
        self.unsaved.then(asset_id, lambda: self._select(asset_id, source != "map"), from_map=source == "map")

    def _select(self, asset_id: str, reveal: bool) -> None:
        if self.w.doc is None:
            return
        self._reveal = reveal
        try:
            self.w.doc.select(asset_id)
        finally:
            self._reveal = True

    def on_selection(self, asset_id: str) -> None:
        doc = self.w.doc
        assert doc is not None
        self.w.table.select(asset_id)
        if asset_id:
            self.w.form.show_asset(doc.asset(asset_id))
        else:
            self.w.form.clear()
        self.w.map.select_asset(asset_id, reveal=self._reveal)
        self.w.update_actions()

    def zoom_to_neighbourhood(self, code: str) -> None:
        """A row in the gap table: outline that neighbourhood and show it whole."""
        if self.w.doc is not None:
            self.w.map.show_neighbourhood(code, self.feed.neighbourhood_geometry(code))

    # --- editing -----------------------------------------------------------------------------------

    def point(self, lat: float, lon: float) -> shapely.Point:
        assert self.w.doc is not None
        x, y = transformer(WGS84, self.w.doc.project.crs).transform(lon, lat)
        return shapely.Point(x, y)

    def start_add(self) -> None:
        """Edit ▸ Add asset: the next click on the map says where it is."""
        form = self.w.form
        if (form.touched or not form.is_new) and not self.w.confirm_discard():  # typed, unsaved changes come first
            return
        self.cancel_mode()
        self.mode = "add"
        self.w.map.set_add_mode(True)
        self._prepare_areas()
        self.w.show_mode("Adding an asset: click the map where it is; the click places it, even on a "
                         "neighbourhood, a park or a marker. Zoom in first to place it exactly.")
        self.w.status_bar().showMessage("Click the map where the new asset is (Esc to stop).")
        self.w.update_actions()

    def start_place(self, asset_id: str) -> None:
        if not asset_id or self.w.doc is None:
            return
        self.cancel_mode()
        self.mode, self.place_id = "place", asset_id
        self.w.map.set_add_mode(True)
        self._prepare_areas()
        name = self.w.doc.asset(asset_id).get("name") or "this asset"
        self.w.show_mode(f"Placing “{name}”: click the map where it is; the click places it, even on a "
                         "neighbourhood, a park or a marker.")
        self.w.status_bar().showMessage("Click the map where this asset is (Esc to stop).")
        self.w.update_actions()

    def stop(self) -> None:
        """Esc (Edit ▸ Stop adding): stop waiting for a click; a new asset's typed-in form is only
        thrown away when the user says so."""
        form = self.w.form
        if not self.mode and form.is_new and form.touched:
            answer = QMessageBox.question(self.w.widget(), "Stop adding",
                                          "Throw away the new asset you were filling in?",
                                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                          QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        self.cancel_mode()

    def cancel_mode(self) -> None:
        self.mode, self.place_id, self.pending_point = "", "", None
        if self.outside_question is not None:
            self.outside_question.done(0)
        self.w.map.set_add_mode(False)
        self.w.map.clear_pending()
        self.w.show_mode("")
        self.w.status_bar().clearMessage()
        if self.w.form.is_new:
            doc = self.w.doc
            if doc is not None and doc.selected_id:
                self.w.form.show_asset(doc.asset(doc.selected_id))
            else:
                self.w.form.clear()
        self.w.update_modified()
        self.w.update_actions()

    def _prepare_areas(self) -> None:
        """Index the neighbourhoods on the map's worker while the user finds the spot to click."""
        doc = self.w.doc
        if doc is None or (self._areas is not None and self._areas_for is doc):
            return

        def ready(index: AreaIndex) -> None:
            if self.w.doc is doc:
                self._areas, self._areas_for = index, doc

        self.feed.jobs.run("Indexing the neighbourhoods", lambda project, _p: area_index(project),
                           project=doc.project, dialog=False).succeeded.connect(ready)

    def area_check(self, point: shapely.Point) -> AreaCheck:
        """Is a clicked point in or near the project's neighbourhoods (``core.project.extent``)?"""
        doc = self.w.doc
        assert doc is not None
        if self._areas is None or self._areas_for is not doc:  # clicked before the index was ready
            self._areas, self._areas_for = area_index(doc.project), doc
        return self._areas.check(point)

    def on_map_clicked(self, lat: float, lon: float) -> None:
        if not self.mode or self.w.doc is None or self.outside_question is not None:
            return
        check = self.area_check(self.point(lat, lon))
        if check.near:
            self._place_click(lat, lon)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Outside the project area",
                          f"{check.describe()} Place the asset there anyway?", QMessageBox.StandardButton.Cancel,
                          self.w.widget())
        box.setInformativeText("A click more than 1 km outside every neighbourhood is usually a slip: the map "
                               "was zoomed out or had moved. Cancel, then click again where the asset is.")
        anyway = box.addButton("Place anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        self.outside_question = box

        def answered(_result: int) -> None:
            self.outside_question = None
            box.deleteLater()
            if box.clickedButton() is anyway and self.mode:
                self._place_click(lat, lon)
            elif self.mode:
                self.w.status_bar().showMessage("Not placed. Click the map where the asset is (Esc to stop).")

        box.finished.connect(answered)
        box.open()  # window-modal, without a nested event loop inside the web channel's call

    def _place_click(self, lat: float, lon: float) -> None:
        if self.mode == "add":
            self.pending_point = self.point(lat, lon)
            self.mode = ""
            self.w.map.set_add_mode(False)
            self.w.map.show_pending(lat, lon)
            self.w.show_mode("")
            self.w.form.show_new({"visibility": "public"}, f"Marked where you clicked ({lat:.5f}, {lon:.5f}). "
                                 "Fill in a name and a category, then press Add asset.")
            self.w.status_bar().showMessage("Fill in the form on the right, then press Add asset.")
            self.w.update_modified()
            self.w.update_actions()
        elif self.mode == "place":
            asset_id, point = self.place_id, self.point(lat, lon)
            self.cancel_mode()
            if self._guard(lambda: self.w.doc.update_asset(asset_id, {"geometry": point})) is True:  # type: ignore[union-attr]
                self._say(asset_id, "Placed “{}” on the map. Edit ▸ Undo (Ctrl+Z) takes it back.")

    def on_add(self, values: dict[str, Any]) -> None:
        doc = self.w.doc
        assert doc is not None
        point = self.pending_point
        new_id = self._guard(lambda: doc.add_asset(values, point))
        if new_id:
            self.pending_point = None
            self.w.map.clear_pending()
            doc.select(new_id)
            self.w.form.show_asset(doc.asset(new_id))
            self.w.update_modified()
            self.w.update_actions()
            self._say(new_id, "Added “{}” to the project. Edit ▸ Undo (Ctrl+Z) takes it out again.")

    def on_save(self, asset_id: str, changes: dict[str, Any]) -> None:
        if self._guard(lambda: self.w.doc.update_asset(asset_id, changes)) is True:  # type: ignore[union-attr]
            self._say(asset_id, "Saved the changes to “{}”. Edit ▸ Undo (Ctrl+Z) takes them back.")

    def _say(self, asset_id: str, template: str) -> None:
        """Confirm an edit in the status bar, naming the asset."""
        doc = self.w.doc
        name = doc.asset(asset_id).get("name") if doc is not None else None
        self.w.status_bar().showMessage(template.format(name or "the asset"), 10000)

    def on_marker_moved(self, asset_id: str, lat: float, lon: float) -> None:
        doc = self.w.doc
        if doc is None or doc.readonly:
            self.feed.patch([asset_id])  # put the marker back
            return
        point = self.point(lat, lon)
        self._guard(lambda: doc.update_asset(asset_id, {"geometry": point}))

    def delete(self, asset_id: str) -> None:
        doc = self.w.doc
        if doc is None or not asset_id:
            return
        name = doc.asset(asset_id).get("name")
        answer = QMessageBox.question(self.w.widget(), "Delete asset", f"Delete “{name}” from the project?\n\n"
                                      "You can bring it back with Edit ▸ Undo.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes and self._guard(lambda: doc.delete_asset(asset_id)) is not False:
            doc.select("")
            self.w.status_bar().showMessage(f"Deleted “{name}”. Edit ▸ Undo (Ctrl+Z) brings it back.", 10000)

    def _guard(self, fn: Any) -> Any:
        """Run an edit; show a core error in plain words instead of losing it."""
        try:
            result = fn()
            return True if result is None else result
        except AssetmapError as exc:
            QMessageBox.warning(self.w.widget(), "Could not save", str(exc))
            return False
