"""Helpers for the desktop map tests: real mouse clicks on the page, the map's view, points in WGS84.

Imported by the ``test_gui_map_*`` modules; it holds no tests itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from pyproj import Transformer
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest
from test_gui_helpers import JS_TIMEOUT, js

from assetmap.core.project import Project

TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def latlon(point: shapely.Point) -> tuple[float, float]:
    lon, lat = TO_WGS84.transform(point.x, point.y)
    return lat, lon


def inner_point(geom: shapely.Geometry) -> shapely.Point:
    """The point of a (multi)polygon furthest from its edges: a click there is inside by many pixels."""
    from shapely.ops import polylabel

    biggest = max(shapely.get_parts(geom), key=lambda g: g.area)
    return polylabel(biggest, tolerance=1.0)


def wait_settled(qtbot: Any, window: Any) -> None:
    """Until no zoom or cluster animation is under way (and the markers are drawn)."""
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmap.ready && assetmap.settled()") is True, timeout=JS_TIMEOUT)


def show_area(qtbot: Any, window: Any, geom_wgs84: shapely.Geometry) -> None:
    west, south, east, north = geom_wgs84.bounds
    window.map.fit_bounds(south, west, north, east)
    qtbot.wait(50)
    wait_settled(qtbot, window)


def laid_out(qtbot: Any, window: Any) -> None:
    """Until the page has the view's size (the add-mode banner above the map makes it shorter)."""
    qtbot.waitUntil(lambda: js(qtbot, window, "[innerWidth, innerHeight]") == [window.map.width(), window.map.height()],
                    timeout=JS_TIMEOUT)
    # Leaflet takes the new size on its next animation frame (its resize handler is deferred), and until then
    # latLngToContainerPoint still answers for the old size: under load a click landed half a banner away.
    same_size = """(function () { var s = assetmap.map.getSize(), c = assetmap.map.getContainer();
        return s.x === c.clientWidth && s.y === c.clientHeight; })()"""
    qtbot.waitUntil(lambda: js(qtbot, window, same_size) is True, timeout=JS_TIMEOUT)
    wait_settled(qtbot, window)


def pixel(qtbot: Any, window: Any, lat: float, lon: float) -> QPoint:
    """Where a point is drawn, in the view's own (widget) coordinates."""
    x, y = js(qtbot, window, f"""(function () {{
        var box = assetmap.map.getContainer().getBoundingClientRect();
        var p = assetmap.map.latLngToContainerPoint([{lat}, {lon}]);
        return [box.left + p.x, box.top + p.y]; }})()""")
    return QPoint(round(x), round(y))


def element_at(qtbot: Any, window: Any, at: QPoint) -> dict[str, Any]:
    """What a click at ``at`` lands on in the page: tag, classes, cursor, and whether a map layer takes it."""
    return js(qtbot, window, f"""(function () {{
        var e = document.elementFromPoint({at.x()}, {at.y()});
        return {{tag: e.tagName.toLowerCase(), cls: String(e.getAttribute('class') || ''),
                 cursor: getComputedStyle(e).cursor, layer: !!e.closest('.leaflet-interactive')}}; }})()""")


def click(window: Any, at: QPoint) -> None:
    """A real left click, delivered to the widget that feeds the page its mouse events."""
    QTest.mouseClick(window.map.focusProxy(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def on_disk(path: Path) -> Any:
    """The assets as another program sees the file."""
    with Project.open(path, readonly=True) as project:
        return project.assets()


def fill_form(w: Any, **values: str) -> None:
    for name, value in values.items():
        editor = w.form.editors[name].input
        if hasattr(editor, "findData"):
            editor.setCurrentIndex(editor.findData(value))
        else:
            editor.setText(value)
