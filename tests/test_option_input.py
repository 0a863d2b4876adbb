"""``assess --from`` and ``criteria --set`` bounded: size, nesting, numbers, weights and scores.

The catalogue of hostile files is ``scripts/fuzz_options.py`` (run it for the campaign figure).
Here each case goes through the real ``main`` on a real project, and must be refused with exit 1
and one short line, leaving the project as it was; the two that read ``/dev/zero`` run as
memory-capped processes, so a regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_assess_helpers import full_assessment, hall  # noqa: F401 (fixtures)

from assetmap.cli import main
from assetmap.core.assessments.jsonfile import MAX_BYTES
from assetmap.core.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import fuzz_options  # noqa: E402

IN_PROCESS = [c for c in fuzz_options.cases() if c.body is not None]
DEVICES = [c for c in fuzz_options.cases() if c.body is None]


def _state(path: Path) -> tuple[int, object]:
    with Project.open(path, readonly=True) as project:
        return project.count("assessments"), project.get_setting("assessment_criteria")


@pytest.mark.parametrize("case", IN_PROCESS, ids=[f"{c.command}: {c.name}" for c in IN_PROCESS])
def test_hostile_file_is_one_clean_refusal(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                           case: fuzz_options.Case) -> None:
    path, asset_id = hall
    before = _state(path)
    source = fuzz_options.source_of(case, tmp_path)
    status = main(fuzz_options.argv_of(case, path, asset_id, source))
    err = capsys.readouterr().err
    problem = fuzz_options.Outcome(status, err, 0.0).problem()
    assert problem is None, f"{problem}: {err[:300]}"
    assert err.startswith(f"assetmap {case.command}: ")
    after = _state(path)
    assert after[0] == before[0]  # no assessment added
    if case.command == "criteria":
        assert after[1] == before[1]  # the criteria unchanged (assess copies the defaults in on first use)


@pytest.mark.parametrize("case", DEVICES, ids=[c.name for c in DEVICES])
def test_dev_zero_reads_at_most_the_limit(hall, tmp_path: Path, case: fuzz_options.Case) -> None:  # noqa: F811
    path, asset_id = hall
    outcome = fuzz_options.run_case(case, path, asset_id, tmp_path)
    assert outcome.problem() is None, outcome.stderr[-500:]
    assert "larger than 1 MB" in outcome.stderr and outcome.seconds < 30


def _write(tmp_path: Path, text: str, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_messages_say_what_is_wrong(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    deep = _write(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert main(["assess", str(path), asset_id, "--from", str(deep)]) == 1
    assert capsys.readouterr().err == ("assetmap assess: in.json: nested more than 20 levels deep (lists or objects "
                                       "inside each other); an assessment or criteria file needs 3\n")
    weights = {"criteria": [{"id": "a", "title": "A", "weight": 1e308}, {"id": "b", "title": "B", "weight": -2}]}
    assert main(["criteria", str(path), "--set", str(_write(tmp_path, json.dumps(weights)))]) == 1
    err = capsys.readouterr().err
    assert "criteria[0].weight: expected a number greater than 0 and at most 1000, got 1e+308" in err
    assert "criteria[1].weight: expected a number greater than 0 and at most 1000, got -2" in err
    nan = json.dumps(full_assessment()).replace('"local_priorities": 4', '"local_priorities": NaN')
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, nan))]) == 1
    assert "NaN is not a number JSON allows" in capsys.readouterr().err
    high = {**full_assessment(), "scores": {**full_assessment()["scores"], "roof_survey": 2, "local_priorities": 7}}
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, json.dumps(high)))]) == 1
    err = capsys.readouterr().err
    assert "scores.local_priorities: expected a score from 0 to 5, got 7" in err and "scores.roof_survey" in err


def test_files_within_the_bounds_still_work(hall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path, asset_id = hall
    long_notes = {**full_assessment(), "notes": "n" * (MAX_BYTES - 5_000)}  # just under the size limit
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, json.dumps(long_notes)))]) == 0
    scores = {**full_assessment(), "scores": {k: 0 for k in full_assessment()["scores"]}, "market_value": 1e12,
              "tenure": {"type": "lease", "lease_years": 999}}
    assert main(["assess", str(path), asset_id, "--from", str(_write(tmp_path, json.dumps(scores)))]) == 0
    bounds = {"title": "Edge weights", "criteria": [{"id": "big", "title": "Big", "weight": 1000},
                                                    {"id": "tiny", "title": "Tiny", "weight": 0.0001}]}
    assert main(["criteria", str(path), "--set", str(_write(tmp_path, json.dumps(bounds)))]) == 0
    capsys.readouterr()
    with Project.open(path, readonly=True) as project:
        assert project.count("assessments") == 2
        assert [c["weight"] for c in project.get_setting("assessment_criteria")["criteria"]] == [1000, 0.0001]
