"""Every writer against every bad destination: one line, the right exit status, nothing replaced or left behind.

The catalogue is scripts/output_faults.py (also the campaign figures): export (.html, .geojson, .csv),
gaps --out, report, import --rejects, new and sample, each against a device node, a FIFO, a symlink, a
folder, a path under a file, a file size limit (ulimit -f with SIGXFSZ ignored: EFBIG), a full tmpfs, a
read-only tmpfs and an unwritable folder. Before, a device, FIFO or symlink was replaced by the output and
every disk failure was a traceback or an internal error.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from assetmap.core.errors import AssetmapError
from assetmap.core.project.atomic import atomic_path

_SCRIPT = Path(__file__).parents[1] / "scripts" / "output_faults.py"
_spec = importlib.util.spec_from_file_location("output_faults", _SCRIPT)
assert _spec is not None and _spec.loader is not None
faults = importlib.util.module_from_spec(_spec)
sys.modules["output_faults"] = faults  # its dataclasses look their module up there
_spec.loader.exec_module(faults)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return faults.prepare(tmp_path_factory.mktemp("writers"))


@pytest.mark.parametrize("condition", faults.CONDITIONS)
@pytest.mark.parametrize("writer", list(faults.WRITERS))
def test_a_bad_destination_is_one_clean_refusal(setup: Any, tmp_path: Path, writer: str, condition: str) -> None:
    case = faults.run_case(writer, condition, tmp_path, setup.project, setup.asset, setup.csv, setup.env)
    if case.skipped:
        pytest.skip(case.skipped)  # only the mounts need root; the report says which cases did not run
    assert case.problems == []


def test_the_core_writer_refuses_a_fifo_without_blocking_or_replacing_it(tmp_path: Path) -> None:
    """The app's exports go through atomic_path too, without the CLI's check in front."""
    fifo = tmp_path / "map.html"
    os.mkfifo(fifo)
    with pytest.raises(AssetmapError, match="it is a FIFO"):
        with atomic_path(fifo) as tmp:
            tmp.write_text("page", encoding="utf-8")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["map.html"]


def test_a_symlink_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target, out = tmp_path / "target.txt", tmp_path / "out.csv"
    target.write_text("keep", encoding="utf-8")
    with pytest.raises(AssetmapError, match="does not write through a link"):
        with atomic_path(out) as tmp:
            tmp.write_text("new", encoding="utf-8")
            out.symlink_to(target)  # someone swaps a link in before the rename
    assert out.is_symlink() and target.read_text(encoding="utf-8") == "keep"
    assert sorted(os.listdir(tmp_path)) == ["out.csv", "target.txt"]


def test_a_write_error_inside_the_writer_removes_the_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(AssetmapError, match="the disk is full; nothing was written .the existing file is unchanged"):
        with atomic_path(out) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise OSError(28, "No space left on device", str(tmp))
    assert out.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["out.csv"]
