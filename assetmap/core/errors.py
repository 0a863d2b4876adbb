"""Errors a user can act on. Each carries enough context to fix the input without a traceback."""

from __future__ import annotations

from pathlib import Path


class AssetmapError(Exception):
    """Base class: the CLI prints the message on one line and exits with status 1."""


class DataError(AssetmapError):
    """Bad input data, pointing at the file, row and column where it was found."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class NotAProjectError(AssetmapError):
    """The file exists but is not an assetmap project (or not a GeoPackage at all)."""


class SchemaVersionError(AssetmapError):
    """The project was written by a newer assetmap than this one."""


class ProjectLockedError(AssetmapError):
    """Another process is editing the project."""


class ValidationError(AssetmapError):
    """A record failed validation; ``problems`` maps field names to plain-language messages."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


class Cancelled(AssetmapError):
    """A long job was cancelled by the user; whatever it was writing has been rolled back."""
