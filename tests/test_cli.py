"""The command line contract of DESIGN section 6: JSON shapes and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assetmap.core.model import ASSET_FIELD_NAMES

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assetmap", *map(str, args)], capture_output=True, text=True)


def test_new_import_assets_round_trip(tmp_path: Path) -> None:
    project = tmp_path / "t.gpkg"
    done = run("new", project, "--boundaries", SAMPLE / "boundaries" / "trafford_ward_2023.geojson", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["neighbourhoods"] == 21 and summary["fields"]["code"] == "area_code"

    bad = tmp_path / "libs.csv"
    bad.write_text("name,type,lon,lat,capacity\nAltrincham Library,Library,-2.352157,53.387055,40\n"
                   "Sale Library,Library,-2.320417,53.424488,several\nNowhere Library,Library,,,\n")
    rejects = tmp_path / "rejects.csv"
    imported = run("import", project, bad, "--json", "--rejects", rejects)
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert {k: report[k] for k in ("imported", "unlocated", "duplicates", "rejected")} == \
        {"imported": 1, "unlocated": 1, "duplicates": 0, "rejected": 1}
    assert report["rejects"] == [{"row": 3, "reason": "column 'capacity': 'several' is not a whole number"}]
    assert "several" in rejects.read_text(encoding="utf-8-sig")

    listed = json.loads(run("assets", project, "--json").stdout)
    assert len(listed) == 2 and set(ASSET_FIELD_NAMES) | {"lon", "lat"} == set(listed[0])
    by_name = {a["name"]: a for a in listed}
    assert by_name["Altrincham Library"]["lon"] == pytest.approx(-2.352157, abs=1e-6)
    assert by_name["Nowhere Library"]["lat"] is None


def test_bad_data_exits_1_with_one_line(tmp_path: Path) -> None:
    project = tmp_path / "t.gpkg"
    assert run("new", project).returncode == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run("import", project, empty)
    assert result.returncode == 1
    assert result.stderr.strip() == "assetmap import: empty.csv: the file is empty"
    assert "Traceback" not in result.stderr
    not_project = run("assets", empty)
    assert not_project.returncode == 1 and len(not_project.stderr.strip().splitlines()) == 1


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    project = tmp_path / "t.gpkg"
    assert run("new", project).returncode == 0
    assert run("import", project).returncode == 2  # missing FILE
    csv = tmp_path / "a.csv"
    csv.write_text("name\nHall\n")
    wrong_map = run("import", project, csv, "--map", "name")
    assert wrong_map.returncode == 2 and "expected FIELD=COLUMN" in wrong_map.stderr
    assert run("new", project).returncode == 2  # exists, no --force
    assert run("frobnicate").returncode == 2


def test_locked_project_is_refused_with_holder(tmp_path: Path) -> None:
    project = tmp_path / "t.gpkg"
    assert run("new", project).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", f"import time; from assetmap.core.project import Project; "
                               f"p = Project.open({str(project)!r}); print('ok', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        csv = tmp_path / "a.csv"
        csv.write_text("name,kind\nHall,village hall\n")
        result = run("import", project, csv)
        assert result.returncode == 1 and f"assetmap process {holder.pid}" in result.stderr
    finally:
        holder.kill()
        holder.wait()
