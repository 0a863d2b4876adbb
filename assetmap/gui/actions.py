"""The window's actions and menus, with standard shortcuts, in one place.

Each action only calls a window method; what the method does is a core call. Keeping the
table of actions apart from the window keeps ``main_window`` thin.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QIcon, QKeySequence

from assetmap.core.resources import resources_dir
from assetmap.gui.field_undo import FieldUndo
from assetmap.gui.shell import MenuShell

Std = QKeySequence.StandardKey
T = TypeVar("T")


def _made(thing: T | None) -> T:
    """What Qt has just made (a menu, a toolbar, an undo action): PyQt6 types each as maybe None; it never is."""
    assert thing is not None, "Qt made nothing"
    return thing


class Actions:
    """Every QAction of the main window, by name, and the menus that hold them."""

    def __init__(self, w: MenuShell) -> None:
        self.w = w
        self.window = window = w.widget()
        a = self._make
        self.new = a("&New project…", w.new_project, Std.New,
                     "Start a project from a file of neighbourhood boundaries.")
        self.open = a("&Open…", w.open_dialog, Std.Open, "Open an assetmap project (.gpkg).")
        self.sample = a("Open the &sample project", w.open_sample, None, "Trafford's community assets, from open data.")
        self.save_form = a("&Save changes", w.save_form, Std.Save,
                           "Save what you typed in the asset form. Everything else is saved as you make it.")
        self.save_as = a("Save &As…", w.save_as, Std.SaveAs,
                         "Save a copy of the project under a new name and carry on in it.")
        self.close = a("&Close project", w.close_project, Std.Close,
                       "Close the project and go back to the welcome page.")
        self.import_ = a("&Import assets…", w.import_assets, "Ctrl+I",
                         "Bring in assets from a spreadsheet or map file.")
        self.import_people = a("Import &people's skills…", w.import_people, None,
                               "Bring in residents' skills from a skills audit or sign-up sheet; "
                               "only people who gave consent are added, and never on the map.")
        self.export = a("&Export map or data…", w.export, "Ctrl+E", "Share a web map (HTML), GeoJSON or CSV.")
        self.quit = a("&Quit", window.close, Std.Quit, "Close assetmap.")
        self.undo = _made(w.undo_group.createUndoAction(window, "&Undo"))
        self.undo.setShortcuts(QKeySequence.keyBindings(Std.Undo))
        self.redo = _made(w.undo_group.createRedoAction(window, "&Redo"))
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        # Ctrl+Z in a field undoes its typing; with none to undo it undoes the last saved edit, as the status bar says
        self.field_undo = FieldUndo(window, self.undo, self.redo, ready=lambda: not w.form_dirty())
        self.add = a("&Add asset", w.controller_start_add, "Ctrl+Shift+A", "Then click the map where the asset is.")
        self.delete = a("&Delete asset…", w.delete_selected, Std.Delete,
                        "Remove the selected asset (you will be asked).")
        self.find = a("&Find…", w.focus_search, Std.Find, "Find an asset by name, kind, address or postcode.")
        self.cancel = a("S&top adding", w.cancel_mode, "Esc", "Stop adding or placing an asset.")
        self.fit = a("&Zoom to everything", w.map.fit_all, "Ctrl+0", "Show the whole project on the map.")
        self.basemap = a("&Background map (OpenStreetMap)", w.toggle_basemap, None,
                         "Street map tiles from the internet behind the assets; off works offline.")
        self.basemap.setCheckable(True)
        self.gaps = a("&Find gaps", w.run_gaps, "F5", "Run the gap analysis with the project's rules.")
        self.rules = a("Gap &rules…", w.edit_rules, None, "Change distances, kinds of asset and targets.")
        self.assess = a("&Assess building…", w.assess, "Ctrl+Shift+B",
                        "Record a community asset transfer assessment of the selected asset; earlier ones are kept.")
        self.report = a("Export assessment &report…", w.export_report, "Ctrl+Shift+R",
                        "Write the one-page A4 report of the selected building's newest assessment (web page or PDF).")
        self.criteria = a("Assessment &criteria…", w.edit_criteria, None,
                          "Change the criteria and weights new assessments are scored against.")
        self.buildings = a("&Compare assessed buildings", w.show_buildings, None,
                           "Show assessed buildings side by side, best score first.")
        self.next_panel = a("Next &panel", lambda: w.panels.step(1), "F6",
                            "Move the keyboard focus to the next panel: map, layers, form, assessments, tables.")
        self.next_panel.setShortcuts([QKeySequence("F6"), QKeySequence("Ctrl+F6")])
        self.prev_panel = a("Previous pa&nel", lambda: w.panels.step(-1), "Shift+F6",
                            "Move the keyboard focus to the previous panel.")
        self.prev_panel.setShortcuts([QKeySequence("Shift+F6"), QKeySequence("Ctrl+Shift+F6")])
        self.about = a("&About assetmap", w.about, None, "About assetmap, its licence and its data sources.")
        self.keys = a("&Keyboard shortcuts", lambda: w.show_shortcuts(), None,
                      "Every keyboard shortcut of the window, in one list.")
        self.undo.setToolTip("Undo the last change (Ctrl+Z)")
        self.redo.setToolTip("Redo (Ctrl+Shift+Z or Ctrl+Y)")
        self.project_actions = [self.save_form, self.save_as, self.close, self.import_, self.import_people, self.export,
                                self.add, self.delete, self.find, self.fit, self.gaps, self.rules, self.assess,
                                self.report, self.buildings, self.criteria, self.next_panel, self.prev_panel]
        self.edit_actions = [self.save_form, self.import_, self.import_people, self.add, self.delete, self.gaps,
                             self.rules, self.assess, self.criteria]

    def _make(self, text: str, slot: Callable[[], object], shortcut: "Std | str | None", tip: str) -> QAction:
        action = QAction(text, self.window)
        if isinstance(shortcut, Std):
            action.setShortcuts(QKeySequence.keyBindings(shortcut))
        elif shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        return action

    def build_menus(self) -> None:
        bar = _made(self.window.menuBar())
        file = _made(bar.addMenu("&File"))
        for item in (self.new, self.open, self.sample):
            file.addAction(item)
        self.recent_menu = _made(file.addMenu("Open &recent"))
        self.recent_menu.aboutToShow.connect(self.w.fill_recent_menu)
        file.addSeparator()
        for item in (self.save_form, self.save_as, self.import_, self.import_people, self.export):
            file.addAction(item)
        file.addSeparator()
        file.addAction(self.close)
        file.addAction(self.quit)
        edit = _made(bar.addMenu("&Edit"))
        for item in (self.undo, self.redo):
            edit.addAction(item)
        edit.addSeparator()
        for item in (self.add, self.delete, self.cancel, self.find):
            edit.addAction(item)
        view = _made(bar.addMenu("&View"))
        view.addAction(self.fit)
        view.addAction(self.basemap)
        view.addAction(self.next_panel)
        view.addAction(self.prev_panel)
        view.addSeparator()
        for dock in self.w.docks:
            view.addAction(dock.toggleViewAction())
        analysis = _made(bar.addMenu("&Analysis"))
        analysis.addAction(self.gaps)
        analysis.addAction(self.rules)
        buildings = _made(bar.addMenu("&Buildings"))
        for item in (self.assess, self.report, self.buildings):
            buildings.addAction(item)
        buildings.addSeparator()
        buildings.addAction(self.criteria)
        help_menu = _made(bar.addMenu("&Help"))
        help_menu.addAction(self.keys)
        help_menu.addAction(self.about)
        tools = _made(self.window.addToolBar("Main"))
        tools.setObjectName("main_toolbar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icons = resources_dir() / "icons"
        # On the toolbar Undo and Redo keep their short names (the tooltip says what they would undo): the
        # menu's "Undo Add Moss Lane Hall" made every button to their right jump sideways after each edit.
        self.tool_undo = self._toolbar_twin(self.undo, "Undo", "Nothing to undo yet")
        self.tool_redo = self._toolbar_twin(self.redo, "Redo", "Nothing to redo")
        for item, icon in ((self.add, "add"), (self.tool_undo, "undo"), (self.tool_redo, "redo"),
                           (self.import_, "import"), (self.gaps, "gaps"), (self.export, "export")):
            item.setIcon(QIcon(str(icons / f"{icon}.svg")))  # SVG: sharp at any screen scale
            tools.addAction(item)
        for item, icon in ((self.undo, "undo"), (self.redo, "redo")):
            item.setIcon(QIcon(str(icons / f"{icon}.svg")))

    def _toolbar_twin(self, action: QAction, text: str, idle: str) -> QAction:
        """A toolbar button with a fixed name that does what ``action`` does and follows its state."""
        twin = QAction(text, self.window)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)

        def follow() -> None:
            twin.setEnabled(action.isEnabled())
            what = action.text().replace("&", "")
            twin.setToolTip(f"{what} ({keys})" if action.isEnabled() else f"{idle} ({keys})")

        action.changed.connect(follow)
        twin.triggered.connect(lambda _checked=False: action.trigger())
        follow()
        return twin

    def shortcuts_text(self) -> str:
        """Each menu command with a keyboard shortcut, menu by menu, for Help ▸ Keyboard shortcuts."""
        lines: list[str] = []
        for top in _made(self.window.menuBar()).actions():
            menu = top.menu()
            if menu is None:
                continue
            rows = []
            for item in menu.actions():
                # keys a keyboard has (not the "Save" or "Undo" media keys Qt also binds)
                keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in item.shortcuts()]
                keys = [k for k in keys if re.match(r"(Ctrl|Shift|F\d|Del|Esc)", k) and "Backspace" not in k]
                if keys and not item.isSeparator():
                    rows.append((" or ".join(keys), item.text().replace("&", "").rstrip("…")))
            if rows:
                lines.append(top.text().replace("&", ""))
                lines += [f"    {keys}\t{text}" for keys, text in rows]
        lines += ["Anywhere", "    Alt+underlined letter\tThat menu or tab",
                  "    Tab or Shift+Tab\tNext or previous field"]
        return "\n".join(lines)
