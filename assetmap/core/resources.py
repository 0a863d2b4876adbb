"""Where the data files that ship with assetmap live (taxonomy, rules, criteria, web assets)."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parents[1]  # the assetmap package folder


def _shipped(in_wheel: str, in_repo: str) -> Path:
    """A data folder: inside the package when installed from a wheel, else at the top of the repo."""
    inside = _PACKAGE / in_wheel
    return inside if inside.is_dir() else _PACKAGE.parent / in_repo


def resources_dir() -> Path:
    """The taxonomy, rules, criteria and web assets (``ASSETMAP_RESOURCES`` overrides, for packagers)."""
    override = os.environ.get("ASSETMAP_RESOURCES")
    if override:
        return Path(override)
    return _shipped("_resources", "resources")


def national_dir() -> Path:
    """The bundled national pack: every 2011 LSOA of England and Wales with IMD and population, by authority."""
    return resources_dir() / "national"


def sample_data_dir() -> Path:
    """The bundled open data the sample project is built from."""
    return _shipped("_sample_data", "sample_data")


@lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    """Read a JSON resource once; callers must copy before mutating."""
    with open(resources_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)
