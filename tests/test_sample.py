"""The sample project is built from the real Trafford open data, and every row is accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetmap.core.imports.pipeline import ImportOptions, import_file
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
    asset_reports = [r for r in reports if not r.file.endswith("sample_skills_audit.csv")]
    assert summary["assets"] == sum(r.imported + r.unlocated for r in asset_reports)
    assert 1150 <= summary["assets"] <= 1250
    # at least five of the six ABCD categories: heritage (listed buildings, plaques) and the invented skills audit too
    assert {"physical", "associations", "institutions", "culture"} <= set(summary["by_category"])
    assert summary["people"] == 40
    kinds = assets["kind"].value_counts()
    assert kinds["culture/listed_building"] >= 250 and kinds["culture/blue_plaque"] == 37
    assert kinds["institutions/school"] >= 100 and kinds["institutions/gp_surgery"] == 26
    assert set(assets["source"].str.contains("OGL|OpenStreetMap|PDDL")) == {True}
    for report in reports:  # nothing lost: every row of every file is accounted for
        assert report.imported + report.unlocated + report.duplicates + report.updated + report.rejected == report.rows
    listed = assets[assets["kind"] == "culture/listed_building"].iloc[0]
    assert "Grade" in json.loads(listed["public_details"])  # the manifest publishes the grade, not the OBJECTID
    assert "OBJECTID" not in json.loads(listed["public_details"])


@pytest.mark.parametrize("name", sorted(p.name for p in (SAMPLE / "assets").iterdir()))
def test_every_sample_file_accounts_for_every_row(tmp_path: Path, name: str) -> None:
    project = tmp_path / "p.gpkg"
    Project.create(project, 27700)
    with Project.open(project) as opened:
        report = import_file(opened, SAMPLE / "assets" / name, ImportOptions(name_from_kind=True, category=None))
        stored = opened.count("assets")
    assert report.rows > 0
    assert report.imported + report.unlocated + report.duplicates + report.updated + report.rejected == report.rows
    assert stored == report.imported + report.unlocated


def test_readme_table_is_the_samples_own_import_report(sample: tuple[Path, list]) -> None:
    """The README's table of the sample build says what a fresh build does, file by file."""
    _path, reports = sample
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The sample project", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = [int(c) for c in cells[1:6]] + [cells[6]]
    built = {str(Path(r.file).relative_to(SAMPLE)): [r.rows, r.imported, r.unlocated, r.duplicates, r.rejected,
                                                      ", ".join(r.by_category)] for r in reports}
    assert table == built
