"""Commands that write a file never replace one silently: without --force they exit 2, name the file, and leave
both the file and the project as they were; with --force they write it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_assess_helpers import full_assessment, hall  # noqa: F401 (fixtures)

from assetmap.cli import main
from assetmap.core.project import Project

OLD = b"last week's file, which must survive\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(capsys: pytest.CaptureFixture[str], args: list[str], existing: Path) -> str:
    """Run a command whose output is already there: exit 2, one line naming it, the old bytes untouched."""
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(existing) in err and "--force" in err
    assert existing.read_bytes() == OLD
    return err


@pytest.mark.parametrize("name", ["map.html", "assets.geojson", "assets.csv"])
def test_export_refuses_then_replaces_with_force(capsys: pytest.CaptureFixture[str],
                                                 hall: tuple[Path, str], tmp_path: Path, name: str) -> None:  # noqa: F811
    path, _asset = hall
    out = tmp_path / name
    out.write_bytes(OLD)
    args = ["export", str(path), "--out", str(out)] + (["--no-basemap"] if name.endswith(".html") else [])
    refused(capsys, args, out)
    assert main([*args, "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["assets"] == 1
    assert "Elm Road Hall" in out.read_text(encoding="utf-8-sig")


def test_a_new_output_needs_no_force(capsys: pytest.CaptureFixture[str], hall: tuple[Path, str],  # noqa: F811
                                     tmp_path: Path) -> None:
    path, _asset = hall
    out = tmp_path / "new" / "assets.csv"
    assert main(["export", str(path), "--out", str(out)]) == 0
    assert "Elm Road Hall" in out.read_text(encoding="utf-8-sig")
    folder = tmp_path / "maps.csv"  # a folder with a file's name: even --force does not write over it
    folder.mkdir()
    assert main(["export", str(path), "--out", str(folder), "--force"]) == 2
    assert "is a folder" in capsys.readouterr().err and folder.is_dir()


def test_report_refuses_then_replaces_with_force(capsys: pytest.CaptureFixture[str],
                                                 hall: tuple[Path, str], tmp_path: Path) -> None:  # noqa: F811
    path, asset_id = hall
    source = tmp_path / "assessment.json"
    source.write_text(json.dumps(full_assessment()), encoding="utf-8")
    assert main(["assess", str(path), asset_id, "--from", str(source)]) == 0
    out = tmp_path / "Elm Road Hall report.HTML"  # spaces and a capital suffix, as people name files
    out.write_bytes(OLD)
    args = ["report", str(path), asset_id, "--out", str(out)]
    refused(capsys, args, out)
    assert main([*args, "--force"]) == 0
    assert "Elm Road Hall" in out.read_text(encoding="utf-8")


def test_gaps_csv_refuses_before_analysing(capsys: pytest.CaptureFixture[str], hall: tuple[Path, str],  # noqa: F811
                                           tmp_path: Path) -> None:
    path, _asset = hall
    out = tmp_path / "gaps.csv"
    out.write_bytes(OLD)
    before = digest(path)
    refused(capsys, ["gaps", str(path), "--out", str(out)], out)
    assert digest(path) == before  # no results stored either: the refusal came first
    assert main(["gaps", str(path), "--out", str(out), "--force"]) == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("priority,code,name")
    assert main(["gaps", str(path), "--json"]) == 0  # no --out: nothing to refuse


def test_import_rejects_refuses_before_importing(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                                 tmp_path: Path) -> None:
    sheet = tmp_path / "Halls register.csv"
    sheet.write_text("Site Name,Type,Easting,Northing,Capacity\n"
                     "Moss Lane Hall,Village hall,380500,390500,80\n"
                     "Bridge Street Hall,Village hall,380600,390600,lots\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    rejects.write_bytes(OLD)
    args = ["import", str(empty_project), str(sheet), "--rejects", str(rejects), "--json"]
    assert "--rejects" in refused(capsys, args, rejects)
    with Project.open(empty_project, readonly=True) as project:
        assert project.assets().empty  # nothing imported: the refusal came first
    assert main([*args, "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 1
    assert "lots" in rejects.read_text(encoding="utf-8-sig")
    assert main(["import", str(empty_project), str(sheet), "--force"]) == 2  # --force alone means nothing here
    assert "--force" in capsys.readouterr().err
