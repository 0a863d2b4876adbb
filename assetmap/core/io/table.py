"""The plain data every reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS


class CellProblem:
    """A spreadsheet cell that holds no usable value: an error such as #REF!, or a formula that was never
    calculated. Readers put one in place of the value; a row that needs the cell is rejected with ``reason``.
    ``str()`` gives the cell as the spreadsheet shows it, for the rejects file."""

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"CellProblem({self.text!r})"


@dataclass
class RawTable:
    """Rows read from a file, before any mapping onto asset fields.

    ``rows`` holds the values as read (text for CSV; typed cells for XLSX; attributes for vector
    files). ``row_numbers`` are what a user sees: the spreadsheet row (the header is row 1), or the
    feature number in a vector file. ``geometry`` is set for vector formats, ``crs`` with it.
    ``early_rejects`` are rows the reader itself could not use (for example a CSV line with too many
    values); they still count towards the report.
    """

    path: Path
    format: str
    rows: pd.DataFrame
    row_numbers: list[int]
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    early_rejects: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    osm_kinds: list[str | None] | None = None  # set by the OpenStreetMap reader
    layer: str | None = None  # the sheet or layer the rows came from, which may say what they are ("Dentists")

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.rows.columns]

    def __len__(self) -> int:
        return len(self.rows)
