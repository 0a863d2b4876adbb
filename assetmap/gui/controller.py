"""Connects the map, the table, the form and the gap table to the document: shared selection and editing.

Each handler is a line or two that calls the document (which calls the core); the only
computation here is turning the map's latitude/longitude into a point in the project's CRS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import shapely
from pyproj import CRS
from PyQt6.QtCore import QObject, QTimer
from PyQt6.QtWidgets import QMessageBox

from assetmap.core.analysis.rules import project_rules
from assetmap.core.analysis.run import RUN_SETTING, stored_results
from assetmap.core.errors import AssetmapError
from assetmap.core.export.webdata import build_map_data
from assetmap.core.io.coords import transformer
from assetmap.gui.layers_panel import AUTO

if TYPE_CHECKING:
    from assetmap.gui.main_window import MainWindow

WGS84 = CRS.from_epsg(4326)


class Controller(QObject):
    """Owns the editing modes (adding, placing) and keeps every panel in step with the document."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.mode = ""  # "" | "add" | "place"
        self.place_id = ""
        self.pending_point: shapely.Point | None = None
        self.full_data: dict[str, Any] | None = None
        self._map_timer = QTimer(self)
        self._map_timer.setSingleShot(True)
        self._map_timer.setInterval(0)
        self._map_timer.timeout.connect(self.refresh_map)
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
        doc.assetsChanged.connect(self.on_assets_changed)
        doc.gapsChanged.connect(self.on_gaps_changed)
        doc.selectionChanged.connect(self.on_selection)
        self.w.table.set_assets(doc.assets())
        self.on_gaps_changed()

    def on_assets_changed(self) -> None:
        doc = self.w.doc
        assert doc is not None
        self.w.table.set_assets(doc.assets(), keep=doc.selected_id)
        if doc.selected_id and doc.selected_id not in set(doc.assets()["id"]):
            doc.select("")
        elif doc.selected_id:
            self.w.form.show_asset(doc.asset(doc.selected_id))
        self._map_timer.start()

    def on_gaps_changed(self) -> None:
        doc = self.w.doc
        assert doc is not None
        try:
            rules = [(r.id, r.title) for r in project_rules(doc.project).by_type("coverage")]
        except AssetmapError:
            rules = []
        results = stored_results(doc.project)
        run = doc.project.get_setting(RUN_SETTING) or {}
        self.w.gaps.set_results(results, rules, run.get("run_at"))
        self.w.charts.set_results(results, rules, doc.project.taxonomy)
        self._map_timer.start()

    def refresh_map(self) -> None:
        """Rebuild the map data with the export's own builder (private mode: this is the team's view)."""
        doc = self.w.doc
        if doc is None:
            return
        state = self.w.layers.state
        requested = None if state.indicator in (AUTO, None) else state.indicator
        try:
            data = build_map_data(doc.project, private=True, indicator=requested)
        except AssetmapError:  # the chosen rule has no results (yet)
            state.indicator = AUTO
            data = build_map_data(doc.project, private=True)
        if state.indicator == AUTO and data.get("indicator"):
            state.indicator = data["indicator"]
        if state.indicator is None:
            data["indicator"] = None
        self.full_data = data
        try:
            rules = [(r.id, r.title) for r in project_rules(doc.project).by_type("coverage")]
        except AssetmapError:
            rules = []
        hoods = data["neighbourhoods"]
        flagged = None
        if any("coverage" in h for h in hoods):  # analysed: how many have a gap, and how many a serious one
            flagged = (sum(1 for h in hoods if h.get("flags")),
                       sum(1 for h in hoods if any(f.get("severity") != "low" for f in h.get("flags") or [])))
        self.w.layers.fill(data, rules if flagged is not None else [], flagged)
        self.w.map.set_data(state.apply(data))

    def show_layers(self) -> None:
        """Redraw from the data already built unless the shading rule changed (that needs new data)."""
        state = self.w.layers.state
        if self.full_data is not None and state.indicator in (None, AUTO, self.full_data.get("indicator")):
            if state.indicator != AUTO:  # AUTO: the built data already holds the export's own choice
                self.full_data["indicator"] = state.indicator
            self.w.map.set_data(state.apply(self.full_data))
        else:
            self.refresh_map()

    # --- selection -------------------------------------------------------------------------------

    def select(self, asset_id: str) -> None:
        if self.w.doc is not None:
            self.w.doc.select(asset_id)

    def on_asset_clicked(self, asset_id: str, source: str) -> None:
        if self.mode:
            return
        self.select(asset_id)

    def on_selection(self, asset_id: str) -> None:
        doc = self.w.doc
        assert doc is not None
        self.w.table.select(asset_id)
        if asset_id:
            self.w.form.show_asset(doc.asset(asset_id))
        else:
            self.w.form.clear()
        self.w.map.select_asset(asset_id)
        self.w.update_actions()

    def zoom_to_neighbourhood(self, code: str) -> None:
        doc = self.w.doc
        assert doc is not None
        hoods = doc.project.neighbourhoods()
        match = hoods[hoods["code"].astype(str) == code]
        if match.empty:
            return
        west, south, east, north = match.to_crs(4326).total_bounds
        self.w.map.fit_bounds(float(south), float(west), float(north), float(east))

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
        self.w.show_mode("Adding an asset: click the map where it is. Zoom in first to place it exactly.")
        self.w.statusBar().showMessage("Click the map where the new asset is (Esc to stop).")
        self.w.update_actions()

    def start_place(self, asset_id: str) -> None:
        if not asset_id or self.w.doc is None:
            return
        self.cancel_mode()
        self.mode, self.place_id = "place", asset_id
        self.w.map.set_add_mode(True)
        name = self.w.doc.asset(asset_id).get("name") or "this asset"
        self.w.show_mode(f"Placing “{name}”: click the map where it is.")
        self.w.statusBar().showMessage("Click the map where this asset is (Esc to stop).")
        self.w.update_actions()

    def stop(self) -> None:
        """Esc (Edit ▸ Stop adding): stop waiting for a click; a new asset's typed-in form is only
        thrown away when the user says so."""
        form = self.w.form
        if not self.mode and form.is_new and form.touched:
            answer = QMessageBox.question(self.w, "Stop adding", "Throw away the new asset you were filling in?",
                                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                          QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        self.cancel_mode()

    def cancel_mode(self) -> None:
        self.mode, self.place_id, self.pending_point = "", "", None
        self.w.map.set_add_mode(False)
        self.w.map.clear_pending()
        self.w.show_mode("")
        self.w.statusBar().clearMessage()
        if self.w.form.is_new:
            doc = self.w.doc
            if doc is not None and doc.selected_id:
                self.w.form.show_asset(doc.asset(doc.selected_id))
            else:
                self.w.form.clear()
        self.w.update_modified()
        self.w.update_actions()

    def on_map_clicked(self, lat: float, lon: float) -> None:
        if self.mode == "add":
            self.pending_point = self.point(lat, lon)
            self.mode = ""
            self.w.map.set_add_mode(False)
            self.w.map.show_pending(lat, lon)
            self.w.show_mode("")
            self.w.form.show_new({"visibility": "public"}, f"Marked where you clicked ({lat:.5f}, {lon:.5f}). "
                                 "Fill in a name and a category, then press Add asset.")
            self.w.statusBar().showMessage("Fill in the form on the right, then press Add asset.")
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
        self.w.statusBar().showMessage(template.format(name or "the asset"), 10000)

    def on_marker_moved(self, asset_id: str, lat: float, lon: float) -> None:
        if self.w.doc is None or self.w.doc.readonly:
            self._map_timer.start()  # put the marker back
            return
        point = self.point(lat, lon)
        self._guard(lambda: self.w.doc.update_asset(asset_id, {"geometry": point}))  # type: ignore[union-attr]

    def delete(self, asset_id: str) -> None:
        doc = self.w.doc
        if doc is None or not asset_id:
            return
        name = doc.asset(asset_id).get("name")
        answer = QMessageBox.question(self.w, "Delete asset", f"Delete “{name}” from the project?\n\n"
                                      "You can bring it back with Edit ▸ Undo.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            if self._guard(lambda: doc.delete_asset(asset_id)) is not False:
                doc.select("")
                self.w.statusBar().showMessage(f"Deleted “{name}”. Edit ▸ Undo (Ctrl+Z) brings it back.", 10000)

    def _guard(self, fn: Any) -> Any:
        """Run an edit; show a core error in plain words instead of losing it."""
        try:
            result = fn()
            return True if result is None else result
        except AssetmapError as exc:
            QMessageBox.warning(self.w, "Could not save", str(exc))
            return False
