"""Where the data files that ship with assetmap live (taxonomy, rules, criteria, web assets)."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any


def resources_dir() -> Path:
    """The top-level ``resources/`` folder of the repository (overridable for packagers)."""
    override = os.environ.get("ASSETMAP_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def sample_data_dir() -> Path:
    """The bundled open data the sample project is built from."""
    return Path(__file__).resolve().parents[2] / "sample_data"


@lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    """Read a JSON resource once; callers must copy before mutating."""
    with open(resources_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)
