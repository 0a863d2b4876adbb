"""The sample project is built from the real Trafford open data, and every row is accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetmap.core.io.importer import ImportOptions, import_file
from assetmap.core.project import Project
from assetmap.core.sample import build_sample

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    return build_sample(tmp_path_factory.mktemp("sample") / "trafford.gpkg")


def test_sample_project_contents(sample: tuple[Path, list]) -> None:
    path, reports = sample
    with Project.open(path, readonly=True) as project:
        summary = project.summary()
        hoods = project.neighbourhoods()
        assets = project.assets()
    assert summary["neighbourhoods"] == 139
    assert hoods["population"].sum() == 241_025  # ONS mid-2024 total for Trafford
    assert hoods["imd_decile"].between(1, 10).all()
    assert hoods["name"].str.contains(r"^Trafford \d{3}[A-Z] \(.+\)$").all()
    assert 750 <= summary["assets"] <= 800
    assert {"physical", "associations", "institutions"} <= set(summary["by_category"])
    assert set(assets["source"].str.contains("OGL|OpenStreetMap")) == {True}
    for report in reports:  # nothing lost: every row of every file is accounted for
        assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows


@pytest.mark.parametrize("name", sorted(p.name for p in (SAMPLE / "assets").iterdir()))
def test_every_sample_file_accounts_for_every_row(tmp_path: Path, name: str) -> None:
    project = tmp_path / "p.gpkg"
    Project.create(project, 27700)
    with Project.open(project) as opened:
        report = import_file(opened, SAMPLE / "assets" / name, ImportOptions(name_from_kind=True, category=None))
        stored = opened.count("assets")
    assert report.rows > 0
    assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows
    assert stored == report.imported + report.unlocated
