"""File ▸ New project: start from a local authority (its bundled LSOAs with population and IMD) or from a
boundary file (all of it, or one authority's units), then where to save.

The dialog only gathers choices; the core (``assetmap.core.area.start``) reads and writes, on the job
runner, so the window stays responsive while a big file is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.area import national
from assetmap.core.errors import AssetmapError
from assetmap.gui.jobs import JobHandle, JobRunner
from assetmap.gui.problem_label import problem_label
from assetmap.gui.screen import fit_to_screen

BOUNDARY_FILTER = "Boundary files (*.geojson *.json *.gpkg *.shp *.zip);;All files (*)"
PROJECT_FILTER = "assetmap projects (*.gpkg);;All files (*)"


def _file_name(name: str) -> str:
    """A file name from an authority's name: 'Bristol, City of' -> 'Bristol-City-of.gpkg'."""
    return (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "my-assets") + ".gpkg"


class NewProjectDialog(QDialog):
    """Choose an area or a file, and where to save; ``projectCreated`` carries the new file's path."""

    projectCreated = pyqtSignal(Path)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.folder = folder or Path.home()
        self.handle: JobHandle | None = None
        self.areas_handle: JobHandle | None = None
        self.created: Path | None = None
        self._dest_edited = False
        self._areas_path = ""  # the file whose areas the Keep list shows
        self.setWindowTitle("New project")

        intro = QLabel("Start with the neighbourhoods you work in. assetmap knows every local authority in "
                       "England and Wales; or use your own boundary file.")
        intro.setWordWrap(True)
        self.by_area = QRadioButton("For a &local authority: its neighbourhoods (2011 LSOAs) with population and "
                                    "deprivation (England), no file needed")
        self.by_file = QRadioButton("From a &boundary file: wards, LSOAs or your own areas (GeoJSON, GeoPackage, "
                                    "zipped Shapefile)")
        self.by_area.setChecked(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._area_page())
        self.pages.addWidget(self._file_page())
        self.by_area.toggled.connect(self._mode_changed)

        self.dest = QLineEdit()
        self.dest.setAccessibleName("Save the project as")
        self.dest.textEdited.connect(self._dest_typed)
        choose = QPushButton("Choo&se…")
        choose.setToolTip("Choose the folder and file name of the new project.")
        choose.clicked.connect(self.browse_dest)
        where = QHBoxLayout()
        where.addWidget(self.dest, 1)
        where.addWidget(choose)
        save_label = QLabel("Save &as:")
        save_label.setBuddy(self.dest)
        save_row = QHBoxLayout()
        save_row.addWidget(save_label)
        save_row.addLayout(where, 1)

        self.error = problem_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        create_button = buttons.addButton("&Create project", QDialogButtonBox.ButtonRole.AcceptRole)
        assert create_button is not None, "AcceptRole is a valid role"
        self.create_button = create_button
        buttons.accepted.connect(self.start_creating)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.by_area)
        layout.addWidget(self.by_file)
        layout.addWidget(self.pages, 1)
        layout.addLayout(save_row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.filter_areas("")
        fit_to_screen(self, 640, 600)

    # --- the two pages ------------------------------------------------------------------------

    def _area_page(self) -> QWidget:
        page = QWidget()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type part of its name or code, e.g. bol or E08000001")
        self.search.setAccessibleName("Find a local authority")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter_areas)
        self.search.returnPressed.connect(lambda: self.areas.setFocus())
        self.areas = QListWidget()
        self.areas.setAccessibleName("Local authorities")
        self.areas.currentItemChanged.connect(lambda *_: self._area_changed())
        self.areas.itemActivated.connect(lambda _item: self.start_creating())
        self.area_info = QLabel()
        self.area_info.setWordWrap(True)
        find = QLabel("&Find your council:")
        find.setBuddy(self.search)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(find)
        layout.addWidget(self.search)
        layout.addWidget(self.areas, 1)
        layout.addWidget(self.area_info)
        return page

    def _file_page(self) -> QWidget:
        page = QWidget()
        self.file = QLineEdit()
        self.file.setAccessibleName("Boundary file")
        self.file.setPlaceholderText("A polygon file of neighbourhoods")
        self.file.editingFinished.connect(lambda: self.read_file_areas(self.file.text().strip()))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self.browse_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.keep = QComboBox()
        self.keep.setAccessibleName("Which units to keep")
        self.keep.setToolTip("A file for a whole region can be cut down to one local authority's units.")
        self.keep.currentIndexChanged.connect(lambda _i: self._keep_changed())
        self.file_info = QLabel("Figures the file lacks (population, IMD) are worked out from the bundled LSOAs "
                                "by how much of each LSOA lies in each unit.")
        self.file_info.setWordWrap(True)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&File:", row)
        form.addRow("&Keep:", self.keep)
        form.addRow(self.file_info)
        file_label = form.labelForField(row)
        if isinstance(file_label, QLabel):
            file_label.setBuddy(self.file)
        self.keep.addItem("All of the file", None)
        return page

    # --- choosing an authority --------------------------------------------------------------------

    def filter_areas(self, text: str) -> None:
        self.areas.clear()
        for a in national.search(text):
            people = f"{a.population:,} people" if a.population is not None else "no population bundled (Wales)"
            item = QListWidgetItem(f"{a.name}  —  {a.code} · {a.country} · {a.lsoas} LSOAs · {people}")
            item.setData(Qt.ItemDataRole.UserRole, a.code)
            if a.aliases:
                item.setToolTip("Also known as: " + ", ".join(a.aliases))
            self.areas.addItem(item)
        if self.areas.count():
            self.areas.setCurrentRow(0)
        else:
            self.area_info.setText(f"No local authority matches '{text}'.")
        self._area_changed()

    def chosen_authority(self) -> national.Authority | None:
        item = self.areas.currentItem()
        return national.by_code(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _area_changed(self) -> None:
        a = self.chosen_authority()
        if a is None:
            return
        if a.country == "England":
            self.area_info.setText(f"{a.name}: {a.lsoas} neighbourhoods (2011 LSOAs), each with its population "
                                   f"(mid-2015) and Index of Multiple Deprivation 2019 rank and decile.")
        else:
            self.area_info.setText(f"{a.name}: {a.lsoas} neighbourhoods (2011 LSOAs). The bundled population and "
                                   "IMD are English; Welsh figures can be added later with "
                                   "`assetmap attach`.")
        self._suggest_dest(a.name)

    # --- choosing a file --------------------------------------------------------------------------

    def browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the neighbourhood boundaries", str(self.folder),
                                              BOUNDARY_FILTER)
        if path:
            self.file.setText(path)
            self.read_file_areas(path)

    def read_file_areas(self, path: str) -> JobHandle | None:
        """Fill the Keep list with the authorities the file holds (read off the GUI thread)."""
        if not path or path == self._areas_path or self.areas_handle is not None and not self.areas_handle.finished:
            return None  # leaving the file box (editingFinished) must not read the same file again
        self._areas_path = path
        from assetmap.core.area.start import file_areas

        self.keep.clear()
        self.keep.addItem("All of the file", None)
        self.file_info.setText("Reading the file…")
        self.error.clear()
        handle = self.jobs.run("Reading the boundary file", lambda _p, _progress: file_areas(path), parent=self,
                               dialog=False)
        handle.succeeded.connect(self._file_areas_read)
        handle.failed.connect(self._file_failed)
        self.areas_handle = handle
        self._suggest_dest(Path(path).stem)
        return handle

    def _file_areas_read(self, found: dict[str, Any]) -> None:
        self.keep.setItemText(0, f"All of the file ({found['units']} units)")
        for area in found["areas"]:
            units = f" ({area['units']} units)" if area.get("units") else ""
            self.keep.addItem(f"{area['name']}{units}", area.get("code") or area["name"])
        if found["method"] == "column":
            self.file_info.setText(f"Local authorities from the file's column {found['column']}. Figures the file "
                                   "lacks come from the bundled LSOAs by overlap.")
        elif found["areas"]:
            self.file_info.setText("The file does not say which authority each unit is in: choosing one keeps the "
                                   "units lying mostly inside it. Figures the file lacks come from the bundled LSOAs.")
        else:
            self.file_info.setText("The file lies outside England and Wales: it is used whole, with its own figures.")

    def _file_failed(self, message: str) -> None:
        self._areas_path = ""
        self.file_info.setText("")
        self.error.setText(message)

    def _keep_changed(self) -> None:
        if self.keep.currentData():
            self._suggest_dest(self.keep.currentText().split(" (")[0])

    # --- where to save, and creating ---------------------------------------------------------------

    def _mode_changed(self) -> None:
        self.pages.setCurrentIndex(0 if self.by_area.isChecked() else 1)
        self.error.clear()
        (self.search if self.by_area.isChecked() else self.file).setFocus()

    def _dest_typed(self, _text: str) -> None:
        self._dest_edited = True

    def _suggest_dest(self, name: str) -> None:
        if not self._dest_edited:
            self.dest.setText(str(self.folder / _file_name(name)))

    def browse_dest(self) -> None:
        dest, _ = QFileDialog.getSaveFileName(self, "Save the new project as", self.dest.text() or str(self.folder),
                                              PROJECT_FILTER)
        if dest:
            self.dest.setText(str(Path(dest).with_suffix(".gpkg")))
            self._dest_edited = True

    def _problem(self) -> str:
        dest = self.dest.text().strip()
        if not dest:
            return "Choose where to save the project."
        path = Path(dest)
        if path.exists():
            return f"{path.name} already exists in {path.parent}; choose another name."
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        if self.by_area.isChecked() and self.chosen_authority() is None:
            return "Choose a local authority from the list."
        if self.by_file.isChecked() and not self.file.text().strip():
            return "Choose a boundary file."
        return ""

    def start_creating(self) -> JobHandle | None:
        """Create the project on the job runner; on success emit ``projectCreated`` and close.

        Not named ``create``: that would hide QWidget.create, which makes the native window."""
        problem = self._problem()
        if problem:
            self.error.setText(problem)
            return None
        self.error.clear()
        dest = Path(self.dest.text().strip()).with_suffix(".gpkg")
        authority = self.chosen_authority() if self.by_area.isChecked() else None
        source = Path(self.file.text().strip()) if self.by_file.isChecked() else None
        keep = self.keep.currentData() if source is not None else None

        def job(_project: Any, progress: Any) -> Path:
            from assetmap.core.area.start import create_project, plan_from_area, plan_from_boundaries

            if authority is not None:
                plan = plan_from_area(authority.code, progress)
                title = authority.name
            elif source is not None:
                plan = plan_from_boundaries(source, area=keep, progress=progress)
                title = plan.area["name"] if plan.area else dest.stem
            else:  # _problem() asks for one of the two first
                raise AssetmapError("Choose a local authority or a boundary file.")
            progress.update(9, 10, "Writing the project")
            return create_project(dest, plan, name=title)

        self.create_button.setEnabled(False)
        self.handle = self.jobs.run("Creating the project", job, parent=self)
        self.handle.succeeded.connect(self._created)
        self.handle.failed.connect(self.error.setText)
        self.handle.ended.connect(self._job_ended)  # bound slots: run on the GUI thread
        return self.handle

    def _job_ended(self) -> None:
        self.create_button.setEnabled(True)

    def _created(self, path: Path) -> None:
        self.created = Path(path)
        self.accept()
        self.projectCreated.emit(self.created)

