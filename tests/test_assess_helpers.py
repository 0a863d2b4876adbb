"""Shared fixtures for the assessment tests (no tests here): a real project file with a hall in it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely

from assetmap.core.project import Project

DATA = Path(__file__).resolve().parent / "data" / "assess"
HALL_POINT = shapely.Point(380400, 390600)  # inside West (E01000001) of the empty_project fixture


def full_assessment() -> dict[str, Any]:
    """A complete assessment as a user would write it (tests/data/assess/full.json); score 76.0."""
    return copy.deepcopy(json.loads((DATA / "full.json").read_text(encoding="utf-8")))


def add_hall(path: Path, **values: Any) -> str:
    with Project.open(path) as project:
        return project.add_asset({"name": "Elm Road Hall", "category": "physical", "kind": "physical/community_centre",
                                  "address": "12 Elm Road", "postcode": "B19 1AA", **values}, HALL_POINT)


@pytest.fixture
def hall(empty_project: Path) -> tuple[Path, str]:
    """(project path, asset id) of a project holding one community hall."""
    return empty_project, add_hall(empty_project)


@pytest.fixture
def open_hall(hall: tuple[Path, str]) -> Iterator[tuple[Project, str]]:
    path, asset_id = hall
    with Project.open(path) as project:
        yield project, asset_id
