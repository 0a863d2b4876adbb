"""Exit statuses and stderr of the command line: 1 bad data, 2 bad usage, 70 internal error, 141 closed pipe.

Every case runs as a real ``python3 -m assetmap`` process. Internal errors, warnings and a progress
bar before an error are induced by a tiny subcommand registered through the command registry of
``assetmap.cli`` (the module and ``COMMANDS``) in the child process, and run by the real ``main``.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assetmap.core.sample import build_sample

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^assetmap boom: internal error, please report it \(details in (?P<log>.+)\)$")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "trafford.gpkg"
    build_sample(path)
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    """A home, cache, state and temporary folder of the test's own, so the log lands where the test looks."""
    for name in ("home", "cache", "state", "tmp"):
        (tmp_path / name).mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "XDG_STATE_HOME": str(tmp_path / "state"), "TMPDIR": str(tmp_path / "tmp"),
            "PYTHONPATH": str(REPO)}


def _boom_script(body: str) -> str:
    """A child process that registers ``assetmap boom`` (running ``body``) and runs the real ``main``."""
    return textwrap.dedent('''
        import sys, time, types, warnings
        import assetmap.cli as cli
        from assetmap.core.errors import DataError

        def run(args):
        {body}

        def register(subparsers):
            subparsers.add_parser("boom").set_defaults(func=run)

        module = types.ModuleType("assetmap.cli.cmd_boom")
        module.register = register
        sys.modules["assetmap.cli.cmd_boom"] = module
        cli.COMMANDS = (*cli.COMMANDS, "boom")
        sys.exit(cli.main(["boom"]))
    ''').format(body=textwrap.indent(textwrap.dedent(body), "    "))


def _boom(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _boom_script(body)], capture_output=True, text=True,
                          env=_env(tmp_path), cwd=tmp_path, timeout=120)


@pytest.mark.parametrize("body", [
    "raise RuntimeError('boom: an assumption broke')",
    "def deeper(n):\n    return deeper(n + 1)\nreturn deeper(0)",  # a real RecursionError
    "return {}['missing key']",  # a real KeyError
], ids=["RuntimeError", "RecursionError", "KeyError"])
def test_internal_error_is_one_line_exit_70_and_a_log(tmp_path: Path, body: str) -> None:
    done = _boom(tmp_path, body)
    assert done.returncode == 70, done.stderr
    lines = done.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    match = LINE.match(lines[0])
    assert match, lines[0]
    log = Path(match["log"])
    assert log.is_file() and str(log).startswith(str(tmp_path)), log
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "internal error in `assetmap boom`" in text
    assert (log.stat().st_mode & 0o077) == 0  # tracebacks may quote residents' data: the user's eyes only


def test_log_falls_back_to_a_private_temporary_folder(tmp_path: Path) -> None:
    env_dirs = _env(tmp_path)
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    env = {**env_dirs, "XDG_CACHE_HOME": str(blocked), "XDG_STATE_HOME": str(blocked)}
    done = subprocess.run([sys.executable, "-c", _boom_script("raise RuntimeError('boom')")], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 70 and len(done.stderr.strip().split("\n")) == 1, done.stderr
    match = LINE.match(done.stderr.strip())
    assert match and Path(match["log"]).is_file()
    assert Path(match["log"]).parent.parent == tmp_path / "tmp"


def test_bad_data_stays_1_and_bad_usage_2(tmp_path: Path) -> None:
    data = _boom(tmp_path, "raise DataError('not a number', file='x.csv', row=3)")
    assert (data.returncode, data.stderr) == (1, "assetmap boom: x.csv, row 3: not a number\n")
    usage = subprocess.run([sys.executable, "-m", "assetmap", "assets"], capture_output=True, text=True,
                           env=_env(tmp_path), timeout=120)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert not list((tmp_path / "cache").rglob("*.log")) and not list((tmp_path / "state").rglob("*.log"))


def test_warnings_go_to_the_log_never_before_the_error(tmp_path: Path) -> None:
    body = """
        warnings.warn("Measured (M) geometry types are not supported", RuntimeWarning)
        warnings.warn("a FutureWarning from pandas", FutureWarning)
        raise DataError("the file has no rows", file="places.gpkg")
    """
    done = _boom(tmp_path, body)
    assert (done.returncode, done.stderr) == (1, "assetmap boom: places.gpkg: the file has no rows\n")
    logs = list((tmp_path / "cache").rglob("assetmap.log")) + list((tmp_path / "state").rglob("assetmap.log"))
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert "RuntimeWarning: Measured (M) geometry types" in text and "FutureWarning" in text


def test_a_warning_in_a_good_run_prints_nothing(tmp_path: Path) -> None:
    done = _boom(tmp_path, "warnings.warn('noise', UserWarning)\nprint('done')\nreturn 0")
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")


PROGRESS_THEN_ERROR = """
    from assetmap.cli.common import terminal_progress
    progress = terminal_progress("Importing")
    time.sleep(0.6)  # the bar shows only once a job has run for a moment
    progress.update(1, 4, "Reading rows")
    raise DataError("row 9 has no name", file="halls.csv")
"""


def test_error_after_a_progress_bar_is_a_line_of_its_own(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _boom_script(PROGRESS_THEN_ERROR)], capture_output=True,
                          env=_env(tmp_path), cwd=tmp_path, timeout=120)  # bytes: text mode would read \r as \n
    assert done.returncode == 1
    bar, error = done.stderr.decode().rstrip("\n").split("\n")
    assert bar.startswith("\rImporting [") and error == "assetmap boom: halls.csv: row 9 has no name"


def test_on_a_terminal_the_bar_is_wiped_before_the_error(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-c", _boom_script(PROGRESS_THEN_ERROR)], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=slave, env=_env(tmp_path), cwd=tmp_path)
        os.close(slave)
        output = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert child.wait(timeout=60) == 1
    finally:
        os.close(master)
    text = output.decode()
    bar = text[:text.index("\r", 1)]
    assert bar.startswith("\rImporting [")
    assert text.endswith("\r" + " " * (len(bar) - 1) + "\rassetmap boom: halls.csv: row 9 has no name\r\n")


@pytest.mark.parametrize("command", [["assets", "--json"], ["assets"], ["kinds"], ["criteria", "--json"],
                                     ["imports"], ["assessments"]])
def test_output_cut_short_by_head_is_quiet(sample: Path, tmp_path: Path, command: list[str]) -> None:
    argv = " ".join([sys.executable, "-m", "assetmap", command[0], str(sample), *command[1:]])
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {argv} | head -c 1 >/dev/null"], capture_output=True,
                          text=True, env=_env(tmp_path), cwd=REPO, timeout=120)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and done.stderr == ""
    assert done.returncode in (0, 141)  # 141 when the reader was gone before the last write (128 + SIGPIPE)


def test_reader_gone_before_the_first_write_exits_141(sample: Path, tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: the first write fails, whatever the size of the output
    try:
        done = subprocess.run([sys.executable, "-m", "assetmap", "assets", str(sample), "--json"], stdout=write,
                              stderr=subprocess.PIPE, text=True, env=_env(tmp_path), cwd=REPO, timeout=120)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
