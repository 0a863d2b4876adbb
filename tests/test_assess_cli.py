"""The assess, assessments and report commands: exit codes, one-line errors, the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_assess_helpers import add_hall, full_assessment, hall  # noqa: F401 (fixtures)

from assetmap.cli import main
from assetmap.core.project import Project

ACV_KEYS = {"status", "nominated_on", "decision_due", "listed_on", "listing_ends", "sale_notice_on",
            "interim_moratorium_ends", "full_moratorium_ends", "protected_period_ends"}


def _write(tmp_path: Path, data: object, name: str = "assessment.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_assess_then_list_as_json(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    other = add_hall(path, name="Library")
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, full_assessment()))]) == 0
    out = capsys.readouterr().out
    assert "76.0/100" in out and "transfer with conditions" in out
    nominated = {**full_assessment(), "scores": {k: 1 for k in full_assessment()["scores"]},
                 "acv": {"status": "nominated", "nominated_on": "2024-01-31"}}
    assert main(["assess", str(path), other, "--from", str(_write(tmp_path, nominated, "b.json")), "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["asset_id"] == other and stored["score"] == 20.0

    assert main(["assessments", str(path), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [set(item) for item in listing] == [{"asset_id", "name", "score", "recommendation", "acv"}] * 2
    assert [item["asset_id"] for item in listing] == [asset_id, other]
    hall_item, library = listing
    assert hall_item["name"] == "Elm Road Hall" and hall_item["score"] == 76.0
    assert hall_item["recommendation"] == "transfer_with_conditions"
    assert set(hall_item["acv"]) == ACV_KEYS
    assert hall_item["acv"] == {
        "status": "listed", "nominated_on": "2019-12-01", "decision_due": "2020-01-26", "listed_on": "2020-01-20",
        "listing_ends": "2025-01-20", "sale_notice_on": "2024-02-29", "interim_moratorium_ends": "2024-04-11",
        "full_moratorium_ends": "2024-08-29", "protected_period_ends": "2025-08-29"}
    assert library["acv"] == {**{k: None for k in ACV_KEYS}, "status": "nominated", "nominated_on": "2024-01-31",
                              "decision_due": "2024-03-27"}


def test_assessments_table_and_history(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    assert main(["assessments", str(path)]) == 0
    assert "No assessments yet" in capsys.readouterr().out
    src = _write(tmp_path, full_assessment())
    assert main(["assess", str(path), asset_id, "--from", str(src)]) == 0
    later = _write(tmp_path, {**full_assessment(), "date": "2024-05-01"}, "2.json")
    assert main(["assess", str(path), asset_id, "--from", str(later)]) == 0
    capsys.readouterr()
    assert main(["assessments", str(path), "--today", "2024-03-05"]) == 0
    table = capsys.readouterr().out
    assert "Elm Road Hall" in table and "76.0" in table and "2024-04-11 interim moratorium ends" in table
    assert main(["assessments", str(path), "--asset", asset_id, "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [h["date"] for h in history] == ["2024-05-01", "2024-03-04"]


@pytest.mark.parametrize(("content", "needles"), [
    ('{"date": "2024-01-01",', ["not valid JSON", "line 1"]),
    ("[1, 2]", ["expected a JSON object"]),
    ({**full_assessment(), "condition": {"roof": "leaky"}}, ["condition.roof", "good, fair, poor", "'leaky'"]),
    ({**full_assessment(), "scores": {"community_benefit": 9}}, ["scores.community_benefit", "0 to 5",
                                                                  "scores.local_priorities: missing"]),
    ({**full_assessment(), "recomendation": "transfer"}, ["recomendation", "did you mean 'recommendation'"]),
    ({**full_assessment(), "acv": {"status": "listed"}}, ["acv.listed_on", "required"]),
    ({**full_assessment(), "tenure": {"type": "lease"}, "assessor": "x\ny"}, ["tenure.lease_years"]),
    ({**full_assessment(), "risks": {"roof\nbad": 1}}, ["risks", "expected text"]),
])
def test_bad_file_exits_1_with_one_line_naming_the_key(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                                       content: object, needles: list[str]) -> None:
    path, asset_id = hall
    src = _write(tmp_path, content)
    assert main(["assess", str(path), asset_id, "--from", str(src)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("assetmap assess: assessment.json: ")
    for needle in needles:
        assert needle in err
    with Project.open(path, readonly=True) as project:
        assert project.count("assessments") == 0


def test_missing_file_and_unknown_asset_exit_1(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    assert main(["assess", str(path), asset_id, "--from", str(tmp_path / "nothing.json")]) == 1
    assert "nothing.json: file not found" in capsys.readouterr().err
    assert main(["assess", str(path), "no-such-id", "--from", str(_write(tmp_path, full_assessment()))]) == 1
    assert "No asset with id no-such-id" in capsys.readouterr().err
    assert main(["report", str(path), "no-such-id", "--out", str(tmp_path / "r.html")]) == 1
    assert not (tmp_path / "r.html").exists()


def test_bad_usage_exits_2(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    with pytest.raises(SystemExit) as info:
        main(["assess", str(path), asset_id])  # no --from
    assert info.value.code == 2
    assert main(["report", str(path), asset_id, "--out", str(tmp_path / "r.docx")]) == 2
    assert "--out must end in .html or .pdf" in capsys.readouterr().err
    assert main(["assessments", str(path), "--today", "soon"]) == 2


def test_report_command_writes_html(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, full_assessment()))]) == 0
    capsys.readouterr()
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(path), asset_id, "--out", str(out), "--today", "2024-03-05", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"out": str(out), "asset_id": asset_id, "format": "html"}
    html = out.read_text(encoding="utf-8")
    assert "Elm Road Hall" in html and "76.0" in html and 'datetime="2024-04-11"' in html
    assert list(out.parent.iterdir()) == [out]  # the atomic write left no temporary file


def test_criteria_are_changed_per_project_and_new_assessments_use_them(
        hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, full_assessment()))]) == 0
    capsys.readouterr()
    assert main(["criteria", str(path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in document["criteria"]][:1] == ["community_benefit"]

    # only community benefit counts now, and a new criterion must be scored too
    for c in document["criteria"]:
        c["weight"] = 100 if c["id"] == "community_benefit" else 0.0001
    document["criteria"].append({"id": "net_zero", "title": "Net zero plan", "weight": 0.0001})
    assert main(["criteria", str(path), "--set", str(_write(tmp_path, document, "criteria.json"))]) == 0
    assert "Saved 6 criteria" in capsys.readouterr().out
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, full_assessment(), "a.json"))]) == 1
    assert "net_zero" in capsys.readouterr().err
    rescored = full_assessment()
    rescored["scores"]["net_zero"] = 0
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, rescored, "b.json")), "--json"]) == 0
    newest = json.loads(capsys.readouterr().out)
    community = full_assessment()["scores"]["community_benefit"]
    assert newest["score"] == pytest.approx(community / 5 * 100, abs=0.1)
    with Project.open(path, readonly=True) as project:
        from assetmap.core.assessments.store import assessments_for
        scores = [rec["score"] for rec in assessments_for(project, asset_id)]
    assert scores[1] == 76.0  # the first assessment keeps the criteria it was scored with

    # a bad document is refused with one line naming the file and the problem, and nothing changes
    bad = _write(tmp_path, {"criteria": [{"id": "ok", "title": "Fine", "weight": -1}]}, "bad.json")
    assert main(["criteria", str(path), "--set", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.json" in err and "criteria[0].weight" in err
    assert main(["criteria", str(path), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["criteria"]) == 6
    assert main(["criteria", str(path), "--reset"]) == 0
    assert "(the defaults)" in capsys.readouterr().out
    with Project.open(path, readonly=True) as project:
        assert "net_zero" not in json.dumps(project.get_setting("assessment_criteria"))
