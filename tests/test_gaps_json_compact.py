"""`assetmap gaps --json` is compact (one line, no spaces), valid JSON with the same keys as the indented
form (`--pretty`), whichever encoder writes it (orjson when installed, else the standard library's)."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from assetmap.cli import main
from assetmap.cli.common import print_json
from assetmap.core.project import Project


@pytest.fixture
def project(empty_project: Path) -> Path:
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Hall", "category": "physical", "kind": "physical/community_centre"},
                    shapely.Point(380000, 390500))
    return empty_project


def _keys(value: Any, path: str = "") -> set[str]:
    """Every key path in a JSON value (list items share their list's path)."""
    if isinstance(value, dict):
        return {f"{path}/{k}" for k in value} | {p for k, v in value.items() for p in _keys(v, f"{path}/{k}")}
    if isinstance(value, list):
        return {p for v in value for p in _keys(v, f"{path}[]")}
    return set()


def _without_run_time(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "run": {k: v for k, v in doc["run"].items() if k != "run_at"}}


def _gaps(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["gaps", str(project), *extra]) == 0
    captured = capsys.readouterr()
    assert "Gap analysis [" not in captured.err  # --json keeps stderr free of the progress bar
    return captured.out


def test_gaps_json_is_one_compact_line_with_the_indented_forms_keys(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compact = _gaps(project, capsys, "--json")
    pretty = _gaps(project, capsys, "--json", "--pretty")
    assert compact.endswith("\n") and compact.count("\n") == 1
    assert not compact.startswith("{ ") and '": ' not in compact and '", "' not in compact  # no spaces added
    assert pretty.count("\n") > 50 and pretty.startswith('{\n  "rules": [')  # --pretty: indented as before
    short, long = json.loads(compact), json.loads(pretty)
    assert list(short) == ["rules", "distances", "run", "neighbourhoods"]
    assert _keys(short) == _keys(long)
    assert _without_run_time(short) == _without_run_time(long)  # the same run, written two ways
    west = short["neighbourhoods"][0]
    assert {"code", "name", "population", "counts", "coverage", "coverage_basis", "flags", "priority"} <= set(west)
    assert west["kinds"] == {"physical/community_centre": 1}


def test_pretty_alone_implies_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert json.loads(_gaps(project, capsys, "--pretty"))["neighbourhoods"]


def test_without_orjson_the_standard_library_writes_the_same(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with_orjson = json.loads(_gaps(project, capsys, "--json"))
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson now raises ImportError
    plain = _gaps(project, capsys, "--json")
    assert plain.count("\n") == 1
    assert _without_run_time(json.loads(plain)) == _without_run_time(with_orjson)


@pytest.mark.parametrize("orjson_installed", [True, False])
def test_compact_print_json_writes_what_the_indented_form_writes(
        orjson_installed: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    if not orjson_installed:
        monkeypatch.setitem(sys.modules, "orjson", None)
    data = {"float64": np.float64(0.25), "int64": np.int64(3), "when": datetime.datetime(2026, 12, 2, 9, 30),
            "text": "Café “Cwtch”\tb\n\"c\"", "nested": [{"x": None, "y": True}], "tiny": 1e-5}
    print_json(data, compact=True)
    compact = capsys.readouterr().out
    print_json(data)
    assert json.loads(compact) == json.loads(capsys.readouterr().out)
    assert compact.count("\n") == 1 and "Café “Cwtch”" in compact  # UTF-8, not \\u escapes
    assert json.loads(compact)["float64"] == 0.25 and json.loads(compact)["int64"] == "3"  # as default=str does
    print_json({"big": 2**70}, compact=True)  # beyond orjson: the standard library writes it
    assert capsys.readouterr().out == '{"big":1180591620717411303424}\n'


def test_compact_json_into_a_stream_without_a_byte_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    print_json({"name": "Café", "n": [1, 2]}, compact=True)
    assert out.getvalue() == '{"name":"Café","n":[1,2]}\n'


STORED = ['{"code":"E1","priority":3,"coverage":{"a":0.5},"flags":[]}', '{"code":"E1","priority":NaN}',
          '{"code":"E1","priority":123456789012345678901234567890}', '{"code":"E1","priority":1.5}',
          '{"code":"E1","priority":1e400}', "\ufeff{}", '{"code":"E1","name":"\\ud800"}', '{"code":"E2"}',
          '{"code":"E1","code":"E1"}', '[1,2]', '{"code":"E1","x":' + "[" * 40 + "]" * 40 + "}",
          '{"code":"E1","x":' + "[" * 31 + "]" * 31 + "}", '{"code":"E1","x":"' + "[" * 50 + '"}', "{", "",
          '{"code":12345678901234567890123}', '{"code":"E1","flags":[{"rule":1}]}']


@pytest.mark.parametrize("text", STORED)
def test_stored_results_read_with_orjson_get_the_json_modules_verdict(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetmap.core.project.outside import gap_result_problem

    fast = gap_result_problem("E1", text)
    monkeypatch.setitem(sys.modules, "orjson", None)
    assert fast == gap_result_problem("E1", text)
