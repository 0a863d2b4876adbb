"""The welcome page shown when no project is open: New, Open, the sample project and recent files."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

INTRO = ("assetmap maps what a neighbourhood already has: its groups, places, services and people's "
         "skills. Open the sample project to look around, or start your own.")


class WelcomePage(QWidget):
    """Big, plain buttons; the window connects them to its File actions."""

    newRequested = pyqtSignal()
    openRequested = pyqtSignal()
    sampleRequested = pyqtSignal()
    recentChosen = pyqtSignal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Welcome to assetmap")
        title.setStyleSheet("font-size: 22px; font-weight: bold;")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.sample = QPushButton("Open the &sample project (Trafford)")
        self.sample.setToolTip("A real borough's community assets from open data; built the first time you open it.")
        self.new = QPushButton("Start a &new project…")
        self.new.setToolTip("Choose your local authority: its neighbourhoods (LSOAs, small census areas) come "
                            "with assetmap, with population and deprivation. Or use your own boundary file, "
                            "such as the council's wards.")
        self.open = QPushButton("&Open a project…")
        self.open.setToolTip("Open an assetmap project file (.gpkg).")
        for button in (self.sample, self.new, self.open):
            button.setMinimumHeight(40)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent projects")
        self.recent.setToolTip("Double-click or press Enter to open.")
        self.sample.clicked.connect(self.sampleRequested)
        self.new.clicked.connect(self.newRequested)
        self.open.clicked.connect(self.openRequested)
        self.recent.itemActivated.connect(
            lambda item: self.recentChosen.emit(Path(item.data(Qt.ItemDataRole.UserRole))))
        box = QWidget()
        box.setFixedWidth(520)  # a fixed width lets the wrapped introduction take its full height
        layout = QVBoxLayout(box)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(12)
        for button in (self.sample, self.new, self.open):
            layout.addWidget(button)
        layout.addSpacing(12)
        self.recent_label = QLabel("Recent projects")
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent, 1)
        outer = QVBoxLayout(self)  # the box keeps its natural height, a little above the middle
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def focus_first(self) -> None:
        """Start the keyboard on the first button (Space presses it), as a new user's eyes do."""
        self.sample.setFocus()

    def set_recent(self, paths: list[Path]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{path.stem}  —  {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        self.recent_label.setVisible(bool(paths))
        self.recent.setVisible(bool(paths))
