"""A wheel (``pip install .``, not only the editable install) carries everything assetmap reads at run time."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _build_wheel(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    return next(out.glob("assetmap-*.whl"))


def _see_these_dependencies(python: Path) -> None:
    """Let a new environment import the packages of the one running the tests (a virtual environment or not).

    ``--system-site-packages`` would only reach the base interpreter's packages, not an outer virtual
    environment's. The folders are added as plain paths, so their own ``.pth`` files (among them the
    editable install's finder, which points at this checkout) are not run: assetmap comes from the wheel.
    """
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    paths = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    Path(own, "outer-environment.pth").write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")


def test_wheel_ships_resources_and_sample_data_and_runs_from_anywhere(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, package in (("resources", "assetmap/_resources"), ("sample_data", "assetmap/_sample_data")):
        shipped = {f"{package}/{p.relative_to(REPO / folder).as_posix()}" for p in (REPO / folder).rglob("*")
                   if p.is_file()}
        assert shipped and shipped <= names, sorted(shipped - names)[:5]
    assert "assetmap/gui/map_bridge.js" in names

    # install it beside the dependencies already here, and build the sample map from an unrelated folder
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    _see_these_dependencies(python)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # no display at all, so ``assetmap gui --sample`` takes its headless path and writes the map
    hidden = ("ASSETMAP_RESOURCES", "PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env["HOME"] = str(tmp_path / "home")
    where = subprocess.run([str(python), "-c", "import assetmap; print(assetmap.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True, timeout=120).stdout
    assert str(venv) in where  # the wheel's copy, not the repository's
    run = subprocess.run([str(venv / "bin" / "assetmap"), "gui", "--sample"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = (work / "assetmap-sample.html").read_text(encoding="utf-8")
    assert "markerClusterGroup" in page  # the inlined plug-in from the shipped web assets
    assert "Trafford" in page and "wrote the sample project's web map" in run.stdout
