"""The main window: the map in the middle, layers left, the form right, tables below, and a status bar.

It only lays out the panels and holds the open document; wiring lives in ``controller``, menus in
``actions`` and what each command does in ``operations``.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QUndoGroup
from PyQt6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.errors import AssetmapError
from assetmap.core.project.repair import drop_foreign_objects
from assetmap.core.project.trust import ForeignObjectsError
from assetmap.core.taxonomy import default_taxonomy
from assetmap.gui import operations, plain_text, wheel_guard
from assetmap.gui.actions import Actions
from assetmap.gui.assessment_controller import AssessmentController
from assetmap.gui.assessment_panel import AssessmentPanel
from assetmap.gui.asset_form import AssetForm
from assetmap.gui.asset_table import AssetTablePanel
from assetmap.gui.buildings_table import BuildingsPanel
from assetmap.gui.charts import ChartsPanel
from assetmap.gui.controller import Controller
from assetmap.gui.document import Document
from assetmap.gui.focus import PanelCycler
from assetmap.gui.gap_table import GapTablePanel
from assetmap.gui.jobs import JobRunner
from assetmap.gui.layers_panel import LayersPanel
from assetmap.gui.map_view import MapView
from assetmap.gui.people_panel import PeoplePanel
from assetmap.gui.screen import fit_to_screen
from assetmap.gui.settings import AppSettings
from assetmap.gui.status import StatusBar, status_bar
from assetmap.gui.welcome import WelcomePage


class MainWindow(QMainWindow):
    """One window per app; a project is opened into it and closed out of it.

    Its collaborators (controller, actions, operations, ...) see it as a ``shell.Shell``/``MenuShell``."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        wheel_guard.install()  # also when a test builds the window without app.py
        plain_text.install()
        self.settings = settings or AppSettings()
        self.doc: Document | None = None
        self.jobs = JobRunner(self)
        self.undo_group = QUndoGroup(self)
        taxonomy = default_taxonomy()
        self.setWindowTitle("assetmap")
        self.map = MapView(basemap=self.settings.basemap())
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 8px; "
                                  "border-bottom: 1px solid #e0c060;")
        self.banner.setVisible(False)
        self.banner.setAccessibleName("Read-only notice")
        # Over the map while the next click places an asset: says so where the user is looking (a status
        # bar message is small and is replaced as soon as the pointer passes over a menu).
        self.mode_bar = QWidget()
        self.mode_bar.setObjectName("mode_bar")
        self.mode_bar.setStyleSheet("#mode_bar { background: #dbeafe; border-bottom: 1px solid #7aa7e0; }")
        self.mode_text = QLabel("")
        self.mode_text.setWordWrap(True)
        self.mode_text.setStyleSheet("color: #0b3d73; font-weight: bold;")
        self.mode_stop = QPushButton("Stop (Esc)")
        self.mode_stop.setToolTip("Stop adding or placing; nothing is changed.")
        self.mode_stop.clicked.connect(lambda: self.cancel_mode())
        mode_layout = QHBoxLayout(self.mode_bar)
        mode_layout.setContentsMargins(8, 4, 8, 4)
        mode_layout.addWidget(self.mode_text, 1)
        mode_layout.addWidget(self.mode_stop)
        self.mode_bar.setVisible(False)
        self.mode_bar.setAccessibleName("What the next click on the map does")
        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.setSpacing(0)
        work_layout.addWidget(self.banner)
        work_layout.addWidget(self.mode_bar)
        work_layout.addWidget(self.map, 1)
        self.welcome = WelcomePage()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(work)
        self.setCentralWidget(self.stack)
        self.layers = LayersPanel()
        self.form = AssetForm(taxonomy)
        self.table = AssetTablePanel(taxonomy)
        self.gaps = GapTablePanel()
        self.people = PeoplePanel(taxonomy)
        self.charts = ChartsPanel()
        self.buildings = BuildingsPanel()
        self.assessments = AssessmentPanel()
        self.tabs = QTabWidget()
        # Alt+letter for each tab, none the same as a menu's (Alt+A was both Assets and Analysis,
        # Alt+H both Charts and Help, Alt+B both Buildings tab and menu, and none of them worked)
        self.tabs.addTab(self.table, "A&ssets")
        self.tabs.addTab(self.gaps, "&Gaps")
        self.tabs.addTab(self.people, "&People and skills")
        self.tabs.addTab(self.charts, "Char&ts")
        self.tabs.addTab(self.buildings, "B&uildings")
        for widget, tip in ((self.table, "Every asset in the project: find, filter and choose one."),
                            (self.gaps, "Neighbourhoods in priority order after Analysis ▸ Find gaps."),
                            (self.people, "Residents' skills and gifts, kept with their consent; never on the map."),
                            (self.charts, "Neighbourhoods compared in bar charts, after Find gaps."),
                            (self.buildings, "Assessed buildings side by side, best score first.")):
            self.tabs.setTabToolTip(self.tabs.indexOf(widget), tip)
        self._grown: tuple[int, int] | None = None  # (height before, height given) of the tables dock
        # A project opens zoomed to everything. The page draws its first data while the panels are still
        # being laid out around it; fitted at that passing size it opened zoomed right into one corner.
        self._fit_when_drawn = False
        self.map.bridge.dataDrawn.connect(self._first_draw)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.docks = [self._dock("Layers", "layers", self.layers, Qt.DockWidgetArea.LeftDockWidgetArea),
                      self._dock("Asset details", "form", self.form, Qt.DockWidgetArea.RightDockWidgetArea),
                      self._dock("Tables and charts", "tables", self.tabs, Qt.DockWidgetArea.BottomDockWidgetArea),
                      self._dock("Assessments", "assessments", self.assessments, Qt.DockWidgetArea.RightDockWidgetArea)]
        self.tabifyDockWidget(self.docks[1], self.docks[3])
        self.docks[1].raise_()
        self.panels = PanelCycler([lambda: self.map, lambda: self.layers, lambda: self.form,
                                   lambda: self.assessments, lambda: self.tabs])
        self.status = StatusBar(self)
        self.menu_actions = Actions(self)
        self.menu_actions.build_menus()
        self.menu_actions.basemap.setChecked(self.map.basemap)
        self.controller = Controller(self)
        self.assess_ctl = AssessmentController(self)
        self.welcome.sampleRequested.connect(self.open_sample)
        self.welcome.openRequested.connect(self.open_dialog)
        self.welcome.newRequested.connect(self.new_project)
        self.welcome.recentChosen.connect(self.open_project)
        self.people.addRequested.connect(lambda v: operations.guard(self, lambda: self.doc.add_person(v)))  # type: ignore[union-attr]
        self.people.saveRequested.connect(lambda i, c: operations.guard(self, lambda: self.doc.update_person(i, c)))  # type: ignore[union-attr]
        self.people.deleteRequested.connect(lambda i: operations.delete_person(self, i))
        self.form.saveRequested.connect(lambda *_: self.update_modified())
        for editor in self.form.editors.values():
            editor.edited.connect(self.update_modified)
        fit_to_screen(self, 1280, 820)  # on a 1366x768 laptop: the whole screen, not off its bottom edge
        geometry, state = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self._sized = state is not None
        self.show_welcome()

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        toggle = dock.toggleViewAction()
        assert toggle is not None, "a dock widget makes its own View-menu action"
        toggle.toggled.connect(lambda shown, d=dock: self._dock_toggled(d, shown))
        return dock

    def _dock_toggled(self, dock: QDockWidget, shown: bool) -> None:
        """Remember a panel closed (its × or View menu) or reopened while a project is shown, for the next start."""
        if self.stack.currentIndex() == 1:  # the welcome page hides every panel: that is not the user's choice
            self.settings.set_dock_closed(dock.objectName(), not shown)

    # --- what the collaborators use (``shell.Shell``) ------------------------------------------------

    def widget(self) -> QMainWindow:
        """The window as Qt sees it (the parent of the collaborators' dialogs and objects): itself."""
        return self

    def status_bar(self) -> QStatusBar:
        """The status bar, for messages (``statusBar()`` always makes one; PyQt6 types it as maybe None)."""
        return status_bar(self)

    def choose_asset(self, asset_id: str) -> None:
        """Select an asset as a choice in a table does (asking first about typing not saved in the form)."""
        self.controller.select(asset_id)

    # --- project lifecycle ------------------------------------------------------------------------

    def _size_docks(self) -> None:
        self.resizeDocks([self.docks[0], self.docks[1]], [230, 380], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks[2]], [max(260, self.height() * 3 // 10)], Qt.Orientation.Vertical)
        QTimer.singleShot(0, self.map.fit_all)  # after the map has taken its new size

    def _first_draw(self, _rows: int) -> None:
        if self._fit_when_drawn:
            self._fit_when_drawn = False
            QTimer.singleShot(0, self.map.fit_all)

    def _tab_changed(self, index: int) -> None:
        """Charts and the people form need height: showing them makes the tables dock at least about half
        the window's height, and going back to a table gives the map its room again (unless the user
        resized the dock meanwhile)."""
        dock = self.docks[2]
        if dock.isFloating() or not dock.isVisible():
            self._grown = None
            return
        if self.tabs.widget(index) in (self.charts, self.people):
            room = self.stack.height() + dock.height()  # what the map and the tables share
            wanted = room * 11 // 20
            if dock.height() < wanted:
                self._grown = (dock.height(), wanted)
                self.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)
            elif self._grown is None:
                self._grown = (dock.height(), dock.height())  # already tall: nothing to give back
        elif self._grown is not None:
            before, given = self._grown
            self._grown = None
            if before != given and abs(dock.height() - given) <= 8:
                self.resizeDocks([dock], [before], Qt.Orientation.Vertical)

    def show_mode(self, text: str) -> None:
        """Say above the map what the next click does ("" hides the bar)."""
        self.mode_text.setText(text)
        self.mode_bar.setVisible(bool(text))

    def show_welcome(self) -> None:
        self.welcome.set_recent(self.settings.recent())
        self.stack.setCurrentIndex(0)
        for dock in self.docks:
            dock.setVisible(False)
        self.welcome.focus_first()
        self.setWindowTitle("assetmap")
        self.update_actions()

    def _offer_repair(self, path: Path, exc: ForeignObjectsError) -> bool:
        """Ask before removing what assetmap did not make (as ``assetmap repair --drop-foreign-objects``)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "This project file carries code assetmap did not put there",
                          str(exc), QMessageBox.StandardButton.Cancel, self)
        remove = box.addButton("Remove them and open", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setInformativeText("Removing them keeps every asset, neighbourhood and person; it deletes only: "
                               + "; ".join(exc.names[:10]) + (" …" if len(exc.names) > 10 else "") + ".")
        box.exec()
        if box.clickedButton() is not remove:
            return False
        try:
            dropped = drop_foreign_objects(path)
        except AssetmapError as err:
            QMessageBox.warning(self, "Could not remove them", str(err))
            return False
        self.status_bar().showMessage(f"Removed {len(dropped)} object(s) assetmap did not make from {path.name}.",
                                      30000)
        return True

    def open_project(self, path: Path) -> bool:
        """Open (read-only with a banner when another assetmap holds it); False if it could not be opened."""
        if self.doc is not None and not self.close_project():
            return False
        try:
            self.doc = Document.open(path, self)
        except ForeignObjectsError as exc:  # a file from someone else carrying triggers: offer to remove them
            if not self._offer_repair(path, exc):
                return False
            return self.open_project(path)
        except Exception as exc:  # noqa: BLE001 - any reason a file cannot be opened is shown, not raised
            QMessageBox.warning(self, "Could not open the project", str(exc))
            return False
        doc = self.doc
        self.settings.add_recent(doc.path)
        self.undo_group.addStack(doc.undo_stack)
        self.undo_group.setActiveStack(doc.undo_stack)
        doc.undo_stack.cleanChanged.connect(lambda _clean: self.update_modified())
        doc.undo_stack.indexChanged.connect(lambda _i: self.update_actions())
        doc.errorRaised.connect(lambda msg: QMessageBox.warning(self, "Could not undo", msg))
        doc.peopleChanged.connect(lambda: self.people.set_people(doc.project.people()))
        if doc.readonly:
            self.banner.setText("Read-only: " + doc.readonly_reason + " You can look, export and copy it "
                                "(File ▸ Save As), but not change it here.")
        self.banner.setVisible(doc.readonly)
        if doc.project.notices:  # what assetmap completed or repaired of edits made in QGIS or GDAL
            checked = " ".join(doc.project.notices)
            self.status_bar().showMessage("Edits made outside assetmap were checked: " + checked, 30000)
        self.form.set_readonly(doc.readonly)
        self.form.set_project(doc.project)  # the project's own kinds in the form, and "New kind…" adds there
        self.table.model.taxonomy = doc.project.taxonomy
        self.people.readonly = doc.readonly
        hoods = doc.project.neighbourhoods()
        self.people.set_neighbourhoods(list(zip(hoods["code"].astype(str), hoods["name"].astype(str))))
        self.people.set_people(doc.project.people())
        self.controller.attach()
        self.assess_ctl.attach()
        self.map.fit_all()
        self._fit_when_drawn = True  # and again once the page has drawn it in the laid-out window
        self.stack.setCurrentIndex(1)
        closed = self.settings.closed_docks()  # panels the user closed stay closed; View reopens them
        for dock in self.docks:
            dock.setVisible(dock.objectName() not in closed)
        if not self._sized:  # first run: a big map, modest panels (once the window is laid out)
            self._sized = True
            QTimer.singleShot(0, self._size_docks)
        self.setWindowTitle(f"{doc.project.name}[*] — assetmap" + (" (read-only)" if doc.readonly else ""))
        self.status.set_project(doc.path, doc.readonly)
        self.update_actions()
        self.update_modified()
        if not doc.project.notices:  # said last, once the panels are in place
            count = len(doc.assets())
            self.status_bar().showMessage(f"Opened: {count} asset{'s' if count != 1 else ''}. "
                                         "Click one to see it; Ctrl+F finds one by name.", 15000)
        return True

    def close_project(self) -> bool:
        """Ask about anything not yet saved, stop jobs, release the lock."""
        if self.doc is None:
            return True
        if not self.confirm_discard():
            return False
        self.controller.cancel_mode()
        self.jobs.shutdown()
        self.controller.detach()  # and the map's own worker
        doc, self.doc = self.doc, None
        self.undo_group.removeStack(doc.undo_stack)
        doc.close()
        doc.deleteLater()
        self.form.set_project(None)
        self.form.clear()
        self.assessments.show_asset(None, [])
        self.buildings.set_summaries([])
        self.banner.setVisible(False)
        self.show_welcome()
        return True

    def confirm_discard(self) -> bool:
        """Unsaved means typed in the form but not saved (every saved edit is already in the file); the one
        question every way of leaving the form's asset asks (``unsaved.UnsavedGuard``)."""
        return self.controller.unsaved.confirm("Save them first?")

    def form_dirty(self) -> bool:
        return self.form.is_new or bool(self.form.asset_id and not self.form.readonly and self.form.changes())

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802 (Qt API)
        assert event is not None, "Qt always passes the close event"
        if not self.close_project():
            event.ignore()
            return
        self.jobs.shutdown()
        self.settings.save_geometry(self.saveGeometry(), self.saveState())
        event.accept()

    # --- state shown in menus and the status bar ---------------------------------------------------

    def update_actions(self) -> None:
        open_ = self.doc is not None
        editable = open_ and not self.doc.readonly  # type: ignore[union-attr]
        for action in self.menu_actions.project_actions:
            action.setEnabled(open_)
        for action in self.menu_actions.edit_actions:
            action.setEnabled(editable)
        selected = bool(self.doc and self.doc.selected_id)
        self.menu_actions.delete.setEnabled(editable and selected)
        # Esc only means "stop" while there is something to stop; otherwise the key is left to the widgets
        self.menu_actions.cancel.setEnabled(bool(self.controller.mode or self.form.is_new) if open_ else False)
        self.menu_actions.assess.setEnabled(editable and selected)
        self.menu_actions.report.setEnabled(selected and self.assess_ctl.has_history())

    def update_modified(self) -> None:
        dirty = self.form_dirty()
        self.setWindowModified(dirty)
        self.status.set_saved(not dirty, self.doc is not None)

    # --- commands (each one line over ``operations``) -------------------------------------------------

    def open_dialog(self) -> None:
        operations.open_dialog(self)

    def open_sample(self) -> None:
        operations.open_sample(self)

    def new_project(self) -> None:
        operations.new_project(self)

    def save_as(self) -> None:
        operations.save_as(self)

    def import_assets(self) -> None:
        operations.import_assets(self)

    def import_people(self) -> None:
        operations.import_people(self)

    def export(self) -> None:
        operations.export(self)

    def run_gaps(self) -> None:
        operations.run_gaps(self)

    def edit_rules(self) -> None:
        operations.edit_rules(self)

    def edit_criteria(self) -> None:
        operations.edit_criteria(self)

    def assess(self) -> None:
        self.assess_ctl.assess()

    def export_report(self) -> None:
        self.assess_ctl.export_report()

    def show_buildings(self) -> None:
        self.assess_ctl.show_buildings()

    def controller_start_add(self) -> None:
        self.controller.start_add()

    def cancel_mode(self) -> None:
        self.controller.stop()

    def save_form(self) -> None:
        """Ctrl+S: everything else is saved as it is made; this saves what is typed in the asset form."""
        if self.form.save_or_explain():
            return
        if self.form.hint.text():
            self.status_bar().showMessage(self.form.hint.text(), 8000)
        else:
            self.status_bar().showMessage("Nothing to save: every change is already in the project file.", 5000)

    def delete_selected(self) -> None:
        if self.doc is not None and self.doc.selected_id:
            self.controller.delete(self.doc.selected_id)

    def focus_search(self) -> None:
        """Edit ▸ Find (Ctrl+F): the Assets tab's search box, its text selected."""
        self.tabs.setCurrentWidget(self.table)
        self.table.search.setFocus()
        self.table.search.selectAll()

    def toggle_basemap(self) -> None:
        self.settings.set_basemap(self.menu_actions.basemap.isChecked())
        self.map.load_page(self.menu_actions.basemap.isChecked())

    def fill_recent_menu(self) -> None:
        operations.fill_recent_menu(self, self.menu_actions.recent_menu)

    def about(self) -> None:
        operations.about(self)

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", self.menu_actions.shortcuts_text())
