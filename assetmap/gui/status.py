"""The status bar: where the pointer is, which file is open, whether everything is saved, basemap notice."""

from __future__ import annotations

from pathlib import Path

from pyproj import CRS
from PyQt6.QtWidgets import QLabel, QMainWindow, QStatusBar

from assetmap.core.io.coords import transformer
from assetmap.gui import plain_text
from assetmap.gui.shell import Shell

WGS84 = CRS.from_epsg(4326)


def status_bar(window: QMainWindow) -> QStatusBar:
    """The window's status bar: ``statusBar()`` makes one when there is none, though PyQt6 types it as maybe None."""
    bar = window.statusBar()
    assert bar is not None, "QMainWindow.statusBar() always returns a bar"
    return bar


class StatusBar:
    """Permanent widgets on the window's QStatusBar (messages still use ``showMessage``)."""

    def __init__(self, window: Shell) -> None:
        self.w = window
        bar = window.status_bar()
        self.basemap = QLabel("")
        self.basemap.setStyleSheet("color: #555;")
        self.coords = QLabel("")
        self.coords.setToolTip("Where the pointer is: latitude and longitude, "
                               "and easting/northing in the project's grid.")
        self.file = QLabel("")
        self.saved = QLabel("")
        self.saved.setToolTip("Every change is written to the project file as soon as you make it.")
        for widget in (self.basemap, self.coords, self.file, self.saved):
            bar.addPermanentWidget(widget)
        window.map.bridge.pointerMoved.connect(self.show_pointer)
        window.map.bridge.basemapMissing.connect(self.basemap_missing)
        window.map.rendererRestarted.connect(self.map_restarted)

    def show_pointer(self, lat: float, lon: float) -> None:
        text = f"{lat:.5f}, {lon:.5f}"
        doc = self.w.doc
        if doc is not None:
            x, y = transformer(WGS84, doc.project.crs).transform(lon, lat)
            text += f"   E {x:,.0f}  N {y:,.0f}"
        self.coords.setText(text)

    def basemap_missing(self) -> None:
        self.basemap.setText("Background map unavailable (offline?)")
        self.basemap.setToolTip("The street map could not be loaded; boundaries and assets are still drawn. "
                                "View ▸ Background map switches it off.")

    def map_restarted(self, reloaded: bool) -> None:
        if reloaded:
            text = "The map stopped unexpectedly (short of memory?) and was reloaded; nothing in the project was lost."
        else:
            text = ("The map keeps stopping unexpectedly and was not reloaded again; the project is safe. "
                    "Close other programs, then reopen the project.")
        self.w.status_bar().showMessage(text, 30000)

    def set_project(self, path: Path, readonly: bool) -> None:
        self.file.setText(path.name + (" (read-only)" if readonly else ""))
        self.file.setToolTip(plain_text.tooltip(str(path)))

    def set_saved(self, saved: bool, open_: bool) -> None:
        if not open_:
            self.saved.setText("")
            self.file.setText("")
        else:
            self.saved.setText("✓ All changes saved" if saved else "● Unsaved changes in the form")
