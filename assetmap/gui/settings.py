"""Per-machine settings in QSettings: window layout, recent projects, the last project, the basemap.

Project settings (rules, taxonomy additions) live in the project file; only what belongs to this
computer and this person is kept here. ``SCHEMA`` versions the keys so a later release can move them.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QByteArray, QCoreApplication, QSettings, QStandardPaths

from assetmap import __version__

SCHEMA = 1
MAX_RECENT = 8


class AppSettings:
    """Typed access to the handful of keys the app keeps."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qs = settings or QSettings()
        if int(self.qs.value("schema", 0) or 0) < SCHEMA:
            self.qs.setValue("schema", SCHEMA)

    def recent(self) -> list[Path]:
        """Recent projects that still exist, newest first."""
        raw = self.qs.value("recent", []) or []
        items = [raw] if isinstance(raw, str) else list(raw)
        return [Path(p) for p in items if Path(p).exists()]

    def add_recent(self, path: Path) -> None:
        items = [str(path.resolve())] + [str(p) for p in self.recent() if p.resolve() != path.resolve()]
        self.qs.setValue("recent", items[:MAX_RECENT])
        self.qs.setValue("last_project", str(path.resolve()))

    def last_project(self) -> Path | None:
        value = self.qs.value("last_project", "")
        return Path(value) if value and Path(value).exists() else None

    def forget_last(self) -> None:
        self.qs.setValue("last_project", "")

    def basemap(self) -> bool:
        return str(self.qs.value("basemap", "true")).lower() == "true"

    def set_basemap(self, on: bool) -> None:
        self.qs.setValue("basemap", "true" if on else "false")

    def geometry(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.qs.value("window/geometry"), self.qs.value("window/state")

    def save_geometry(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qs.setValue("window/geometry", geometry)
        self.qs.setValue("window/state", state)

    def closed_docks(self) -> set[str]:
        """Panels (dock object names) the user closed: they stay closed when a project opens, until View reopens them.

        Kept apart from ``window/state``: the welcome page hides every panel, so the saved state cannot tell
        a panel the user closed from one the welcome page put away.
        """
        raw = self.qs.value("window/closed_docks", []) or []
        return {raw} if isinstance(raw, str) else {str(name) for name in raw}

    def set_dock_closed(self, name: str, closed: bool) -> None:
        names = (self.closed_docks() | {name}) if closed else (self.closed_docks() - {name})
        self.qs.setValue("window/closed_docks", sorted(names))


def identify_app() -> None:
    """Name the app so QSettings and QStandardPaths use 'assetmap' folders (no QApplication needed)."""
    QCoreApplication.setOrganizationName("assetmap")
    QCoreApplication.setApplicationName("assetmap")
    QCoreApplication.setApplicationVersion(__version__)


def data_dir() -> Path:
    """Where the app keeps its own files (the sample project), per user."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(base or Path.home() / ".assetmap")
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_path() -> Path:
    return data_dir() / "trafford-sample.gpkg"
