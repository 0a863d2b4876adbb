"""Shared fixtures. Qt runs offscreen; every project is a real GeoPackage in a temporary folder."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
# what runs keep between them (homes, outlines: see core/analysis/kept_files.py) goes to a folder of the test
# session's own, never the user's ~/.cache; tests of keeping set their own
os.environ["ASSETMAP_CACHE_DIR"] = tempfile.mkdtemp(prefix="assetmap-test-cache-")

from pathlib import Path  # noqa: E402

import geopandas as gpd  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402

from assetmap.core.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    """A project in British National Grid with two 1 km square neighbourhoods side by side."""
    squares = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002"], "name": ["West", "East"], "population": [1500, 0], "imd_decile": [2, 9]},
        geometry=[shapely.box(380000, 390000, 381000, 391000), shapely.box(381000, 390000, 382000, 391000)],
        crs=27700,
    )
    path = tmp_path / "project.gpkg"
    Project.create(path, 27700, name="Test", neighbourhoods=squares)
    return path
