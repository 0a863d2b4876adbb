"""The README's two set-up commands work on the machine's own Python, in a fresh clone (PEP 668: no
system-wide pip install), as a new user would type them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")


def readme_commands() -> list[str]:
    """The commands in the README's set-up section, in order (each fenced block holds one)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```\n(.*?)```", section, flags=re.DOTALL)]


def test_readme_gives_two_commands_that_use_a_virtual_environment() -> None:
    first, second = readme_commands()
    assert "scripts/setup.sh" in first and ".venv/bin/" in first
    assert second == ".venv/bin/python -m pytest"
    assert "pip install" not in first  # never into the system Python, which PEP 668 refuses
    assert "bash scripts/setup.sh" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.skipif(not SYSTEM_PYTHON.exists() or not shutil.which("git"), reason="needs /usr/bin/python3 and git")
def test_readme_commands_in_a_fresh_clone_with_the_system_python(tmp_path: Path) -> None:
    clone = tmp_path / "assetmap"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=300)
    first, second = readme_commands()
    hidden = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(PATH="/usr/bin:/bin:/usr/sbin:/sbin", HOME=str(tmp_path / "home"),
               PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")))
    run = subprocess.run(["bash", "-c", first], cwd=clone, env=env, capture_output=True, text=True, timeout=1500)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (clone / ".venv" / "bin" / "python").exists()
    version = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-c",
                              "import sys; print(sys.base_prefix)"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == "/usr"  # the machine's own Python, not another one on PATH
    assert "wrote the sample project's web map" in run.stdout and (clone / "assetmap-sample.html").exists()
    # The second command runs the whole suite (this test included); here it only has to start and find the tests.
    collect = subprocess.run(["bash", "-c", second + " --collect-only -q"], cwd=clone, env=env,
                             capture_output=True, text=True, timeout=600)
    assert collect.returncode == 0, collect.stdout[-2000:] + collect.stderr[-2000:]
    assert re.search(r"\d+ tests collected", collect.stdout)
