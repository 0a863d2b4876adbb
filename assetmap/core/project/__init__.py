"""The project store (one GeoPackage per project) and the edit commands the GUI's undo stack holds."""

from assetmap.core.project.store import Project

__all__ = ["Project"]
