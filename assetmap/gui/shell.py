"""What the main window's collaborators use of it, as a Protocol: the window is typed against this, not imported.

``controller``, ``unsaved``, ``status``, ``operations`` and ``assessment_controller`` are given the window
as a ``Shell``; ``actions`` (the menus and toolbar) as a ``MenuShell``, which adds one method per command.
``MainWindow`` satisfies both without naming them, so none of these modules imports ``main_window``
(which imports them all): each one depends only on the panels and the document it really uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PyQt6.QtGui import QUndoGroup
from PyQt6.QtWidgets import QDockWidget, QMainWindow, QStatusBar, QTabWidget

from assetmap.gui.assessment_panel import AssessmentPanel
from assetmap.gui.asset_form import AssetForm
from assetmap.gui.asset_table import AssetTablePanel
from assetmap.gui.buildings_table import BuildingsPanel
from assetmap.gui.charts import ChartsPanel
from assetmap.gui.document import Document
from assetmap.gui.focus import PanelCycler
from assetmap.gui.gap_table import GapTablePanel
from assetmap.gui.jobs import JobRunner
from assetmap.gui.layers_panel import LayersPanel
from assetmap.gui.map_view import MapView
from assetmap.gui.settings import AppSettings


class Shell(Protocol):
    """The open document, the panels, and the few window methods the collaborators call."""

    settings: AppSettings
    doc: Document | None
    jobs: JobRunner
    map: MapView
    layers: LayersPanel
    form: AssetForm
    table: AssetTablePanel
    gaps: GapTablePanel
    charts: ChartsPanel
    buildings: BuildingsPanel
    assessments: AssessmentPanel
    tabs: QTabWidget

    def widget(self) -> QMainWindow:
        """The window as Qt sees it: the parent of dialogs, message boxes, actions and helper objects."""
        ...

    def status_bar(self) -> QStatusBar:
        """The window's status bar, for messages."""
        ...

    def open_project(self, path: Path) -> bool: ...

    def confirm_discard(self) -> bool: ...

    def show_mode(self, text: str) -> None: ...

    def update_actions(self) -> None: ...

    def update_modified(self) -> None: ...

    def choose_asset(self, asset_id: str) -> None:
        """Select an asset as a choice in a table does (asking first about typing not saved in the form)."""
        ...


class MenuShell(Shell, Protocol):
    """What the menus and the toolbar also need: the undo group, the docks, the panel cycler, and each command."""

    undo_group: QUndoGroup
    docks: list[QDockWidget]
    panels: PanelCycler

    def new_project(self) -> None: ...

    def open_dialog(self) -> None: ...

    def open_sample(self) -> None: ...

    def save_form(self) -> None: ...

    def save_as(self) -> None: ...

    def close_project(self) -> bool: ...

    def import_assets(self) -> None: ...

    def import_people(self) -> None: ...

    def export(self) -> None: ...

    def form_dirty(self) -> bool: ...

    def controller_start_add(self) -> None: ...

    def delete_selected(self) -> None: ...

    def focus_search(self) -> None: ...

    def cancel_mode(self) -> None: ...

    def toggle_basemap(self) -> None: ...

    def run_gaps(self) -> None: ...

    def edit_rules(self) -> None: ...

    def edit_criteria(self) -> None: ...

    def assess(self) -> None: ...

    def export_report(self) -> None: ...

    def show_buildings(self) -> None: ...

    def fill_recent_menu(self) -> None: ...

    def about(self) -> None: ...

    def show_shortcuts(self) -> None: ...
