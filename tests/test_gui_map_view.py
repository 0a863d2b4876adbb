"""The desktop map keeps the user's place: redraws and edits keep the view, the popup is the selected
asset's, a gap-table row outlines its neighbourhood, and at 50,000 assets an edit reaches the page as a
change (counted), not as a rebuilt map."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from PyQt6.QtCore import Qt
from test_gui_helpers import JS_TIMEOUT, js, open_and_wait, sample_copy, sample_master, window  # noqa: F401
from test_gui_map_helpers import fill_form, latlon, on_disk, wait_settled

from assetmap.core.analysis.run import run_gaps
from assetmap.core.project import Project
from assetmap.gui.layers_panel import NEIGHBOURHOODS

VIEW = "(function () { var c = assetmap.map.getCenter(); return [c.lat, c.lng, assetmap.map.getZoom()]; })()"


def layer_item(window: Any, key: str) -> Any:
    tree = window.layers.tree
    return next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == key)


def same_view(a: list[float], b: list[float]) -> bool:
    return a[2] == b[2] and a[0] == pytest.approx(b[0], abs=1e-9) and a[1] == pytest.approx(b[1], abs=1e-9)


def test_redraws_and_edits_keep_the_view(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    open_and_wait(qtbot, window, sample_copy)
    window.table.view.selectRow(3)  # "show on map": this one moves the view
    chosen = window.doc.selected_id
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.popupAssetId()") == chosen, timeout=JS_TIMEOUT)
    # the user then looks elsewhere
    js(qtbot, window, "assetmap.map.setView([53.42, -2.33], 13, {animate: false})")
    wait_settled(qtbot, window)
    view = js(qtbot, window, VIEW)
    category = window.doc.asset(chosen)["category"]
    other = next(c["id"] for c in window.controller.feed.data["categories"] if c["id"] != category and c["count"])

    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=JS_TIMEOUT):  # a layer toggle
        layer_item(window, other).setCheckState(0, Qt.CheckState.Unchecked)
    wait_settled(qtbot, window)
    assert same_view(js(qtbot, window, VIEW), view)
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=JS_TIMEOUT):  # neighbourhoods off
        layer_item(window, NEIGHBOURHOODS).setCheckState(0, Qt.CheckState.Unchecked)
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=JS_TIMEOUT):  # a rebuild (new gap results do this)
        window.controller.refresh_map()
    wait_settled(qtbot, window)
    assert same_view(js(qtbot, window, VIEW), view)

    fill_form(window, name="Renamed while looking elsewhere")  # an edit of the selected asset
    with qtbot.waitSignal(window.map.bridge.changesDrawn, timeout=JS_TIMEOUT):
        window.form.save.click()
    wait_settled(qtbot, window)
    assert same_view(js(qtbot, window, VIEW), view)
    assert js(qtbot, window, f"assetmapDesktop.row('{chosen}').name") == "Renamed while looking elsewhere"
    assert window.doc.selected_id == chosen and js(qtbot, window, "assetmapDesktop.selectedId") == chosen


def test_the_popup_is_the_selected_assets_after_quick_searches(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    """Each search and choice zooms the map; the earlier zooms' popups used to open after the later ones."""
    open_and_wait(qtbot, window, sample_copy)
    wait_settled(qtbot, window)
    panel = window.table
    for round_ in range(3):
        js(qtbot, window, "assetmap.fitAll(false)")
        for text in ("library", "church", "park", "school", "hall", "club", "pub"):
            panel.search.setText(text)
            panel.view.selectRow(round_)  # as quickly as the user can choose
        chosen = window.doc.selected_id
        assert chosen and window.form.asset_id == chosen
        qtbot.waitUntil(lambda: js(qtbot, window, "assetmap.settled() && assetmapDesktop.popupAssetId()") == chosen,
                        timeout=JS_TIMEOUT)
        qtbot.wait(300)  # anything still on its way would open now
        assert js(qtbot, window, "assetmapDesktop.popupAssetId()") == chosen
        name = js(qtbot, window, "document.querySelector('.leaflet-popup .am-popup h3').textContent")
        assert name == window.form.record["name"]


def test_choosing_an_asset_without_a_place_closes_the_previous_popup(qtbot: Any, window: Any,
                                                                     sample_copy: Path) -> None:  # noqa: F811
    open_and_wait(qtbot, window, sample_copy)
    window.table.view.selectRow(0)
    first = window.doc.selected_id
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.popupAssetId()") == first, timeout=JS_TIMEOUT)
    window.table.unlocated.setChecked(True)
    window.table.view.selectRow(0)
    assert window.doc.selected_id != first and window.doc.asset(window.doc.selected_id)["geometry"] is None
    qtbot.waitUntil(lambda: js(qtbot, window, "document.querySelectorAll('.leaflet-popup').length") == 0,
                    timeout=JS_TIMEOUT)
    assert js(qtbot, window, "assetmapDesktop.popupAssetId()") is None


def test_a_gap_table_row_outlines_its_neighbourhood(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    with Project.open(sample_copy) as project:
        run_gaps(project)
        hoods = project.neighbourhoods().to_crs(4326).set_index("code")
    open_and_wait(qtbot, window, sample_copy)
    window.tabs.setCurrentWidget(window.gaps)
    window.gaps.view.selectRow(2)
    code = str(window.gaps.view.selectionModel().selectedRows()[0].data(Qt.ItemDataRole.UserRole))
    qtbot.waitUntil(lambda: (js(qtbot, window, "assetmapDesktop.hoodOutline()") or {}).get("code") == code,
                    timeout=JS_TIMEOUT)
    outline = js(qtbot, window, "assetmapDesktop.hoodOutline()")
    west, south, east, north = hoods.loc[code].geometry.bounds
    (s, w), (n, e) = outline["bounds"]
    assert (s, w, n, e) == pytest.approx((south, west, north, east), abs=1e-4)
    assert js(qtbot, window, f"assetmap.map.getBounds().contains([[{s}, {w}], [{n}, {e}]])") is True
    # drawn in a colour the shading, the outlines and the flagged gaps never use
    styles = js(qtbot, window, """Array.prototype.map.call(document.querySelectorAll('.leaflet-am-hoods-pane path'),
        function (p) { return p.getAttribute('stroke'); })""")
    assert styles and outline["color"] not in styles
    drawn = js(qtbot, window, """Array.prototype.map.call(document.querySelectorAll('.leaflet-am-hood-sel-pane path'),
        function (p) { return p.getAttribute('stroke'); })""")
    assert outline["color"] in drawn
    view = js(qtbot, window, VIEW)
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=JS_TIMEOUT):  # hiding the neighbourhoods keeps it
        layer_item(window, NEIGHBOURHOODS).setCheckState(0, Qt.CheckState.Unchecked)
    assert js(qtbot, window, "assetmapDesktop.hoodOutline().code") == code
    assert same_view(js(qtbot, window, VIEW), view)


def test_a_reloaded_page_gets_the_edits_made_since_its_data(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    open_and_wait(qtbot, window, sample_copy)
    asset_id = window.table.model.rows[0].id
    with qtbot.waitSignal(window.map.bridge.changesDrawn, timeout=JS_TIMEOUT):
        window.doc.update_asset(asset_id, {"name": "Edited before the reload"})
    with qtbot.waitSignal(window.map.bridge.changesDrawn, timeout=JS_TIMEOUT):  # the data, then the change again
        window.map.load_page(False)  # what switching the background map does
    assert js(qtbot, window, f"assetmapDesktop.row('{asset_id}').name") == "Edited before the reload"


# --- 50,000 assets -----------------------------------------------------------------------------------

def big_project(path: Path, n: int = 50_000) -> None:
    rng = random.Random(7)
    cells = [shapely.box(380000 + i * 1000, 390000 + j * 1000, 381000 + i * 1000, 391000 + j * 1000)
             for i in range(10) for j in range(10)]
    hoods = gpd.GeoDataFrame({"code": [f"E0{k:07d}" for k in range(100)], "name": [f"Area {k}" for k in range(100)]},
                             geometry=cells, crs=27700)
    Project.create(path, 27700, name="Big", neighbourhoods=hoods)
    kinds = [("physical", "physical/community_centre"), ("economy", "economy/pub"), ("culture", "culture/arts_venue"),
             ("associations", "associations/sports_club"), ("institutions", "institutions/library")]
    with Project.open(path) as project:
        for start in range(0, n, 5000):
            batch = [kinds[i % len(kinds)] for i in range(start, min(n, start + 5000))]
            records = [{"name": f"Place {start + i}", "category": c, "kind": k} for i, (c, k) in enumerate(batch)]
            points = [shapely.Point(380000 + rng.random() * 10000, 390000 + rng.random() * 10000) for _ in batch]
            project.add_assets(records, points)


def test_an_edit_at_50000_assets_reaches_the_page_as_a_change(qtbot: Any, window: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.gpkg"
    big_project(path)
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=120_000):
        assert window.open_project(path)
    assert js(qtbot, window, "assetmapDesktop.data.assets.rows.length") == 50_000
    m = window.map
    sent = (m.page_loads, m.full_sends, m.change_sends)
    draws = js(qtbot, window, "assetmapDesktop.draws")
    asset_id = window.table.model.rows[10].id

    def changed(action: Any) -> None:
        with qtbot.waitSignal(m.bridge.changesDrawn, timeout=JS_TIMEOUT):
            action()

    changed(lambda: window.doc.update_asset(asset_id, {"name": "Renamed at scale"}))  # edit
    assert js(qtbot, window, f"assetmapDesktop.row('{asset_id}').name") == "Renamed at scale"
    lat, lon = latlon(shapely.Point(385000, 395000))
    changed(lambda: m.bridge.onMarkerMoved(asset_id, lat, lon))  # a marker dragged there
    assert js(qtbot, window, f"assetmapDesktop.row('{asset_id}').lat") == pytest.approx(lat, abs=1e-5)
    changed(window.menu_actions.undo.trigger)  # undo the move
    assert js(qtbot, window, f"assetmapDesktop.row('{asset_id}').lat") != pytest.approx(lat, abs=1e-5)
    changed(window.menu_actions.redo.trigger)
    changed(lambda: window.doc.delete_asset(asset_id))
    assert js(qtbot, window, f"assetmapDesktop.row('{asset_id}')") is None
    assert js(qtbot, window, "assetmapDesktop.data.assets.rows.length") == 49_999
    new_id = ""

    def add() -> None:
        nonlocal new_id
        new_id = window.doc.add_asset({"name": "Brand new", "category": "physical"}, shapely.Point(384000, 394000))

    changed(add)
    assert js(qtbot, window, f"assetmapDesktop.row('{new_id}').name") == "Brand new"
    assert js(qtbot, window, "assetmapDesktop.data.assets.rows.length") == 50_000
    # six changes went to the page, and no new page and no whole data
    assert (m.page_loads, m.full_sends, m.change_sends) == (sent[0], sent[1], sent[2] + 6)
    assert js(qtbot, window, "assetmapDesktop.draws") == draws
    assert js(qtbot, window, "assetmapDesktop.changes") == 6
    # the table followed in place too, and the file holds what the page shows
    assert window.table.model.rowCount() == 50_000
    names = on_disk(path).set_index("id")["name"]
    assert asset_id not in names.index and names[new_id] == "Brand new"


def test_map_json_in_slices_is_the_same_text_as_in_one_go() -> None:
    """The data is encoded a slice at a time (so a worker never holds the GIL for long): same JSON exactly."""
    import json

    from assetmap.gui.map_view import map_json

    rows = [[f"id{i}", f"Hall {i} \"@@x@@\" ☕", i % 3, None, -2.0 + i / 1e5, 53.0] for i in range(4500)]
    data = {"assets": {"fields": ["id", "name"], "rows": rows}, "areas": [{"a": i, "g": None} for i in range(2500)],
            "neighbourhoods": [{"code": "A", "name": "@@rows@@"}], "meta": {"title": "Map"}}
    assert map_json(data) == json.dumps(data, ensure_ascii=False, allow_nan=False)
    assert json.loads(map_json(data))["assets"]["rows"][4499][0] == "id4499"
