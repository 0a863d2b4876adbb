"""The malformed-input catalogue: every damaged, oversized or impossible file is one clean refusal.

The cases and their generators are ``scripts/malformed_inputs.py`` (run it for the campaign figure).
Each runs ``python3 -m assetmap import`` (or ``new --boundaries``) as a real process with its own empty
``TMPDIR``: exit 1 with one stderr line that says what is wrong (or, for a file whose bad rows are only
rejected, exit 0 with those rows rejected and the reason), no traceback, under a minute, nothing left
in the temporary folder. The bombs unpack to 8 times the limit the process is given (8 MB here).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import malformed_inputs  # noqa: E402

CASES = malformed_inputs.cases()


@pytest.fixture(scope="module")
def catalogue_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("catalogue")
    return malformed_inputs.make_project(folder), folder


@pytest.mark.parametrize("case", CASES, ids=[f"{c.command}: {c.name}" for c in CASES])
def test_malformed_input_is_one_clean_refusal(catalogue_project: tuple[Path, Path],
                                              case: malformed_inputs.Case) -> None:
    project, folder = catalogue_project
    outcome = malformed_inputs.run_case(case, project, folder)
    assert outcome.problem(case) is None, outcome.stderr[-600:]
    assert outcome.seconds < malformed_inputs.TIME_LIMIT


def test_the_catalogue_covers_the_issue() -> None:
    """Every kind of malformed input the campaign found is in the catalogue."""
    names = " | ".join(c.name for c in CASES).lower()
    for kind in ("bit-flipped", "encrypted", "method 97", "method 99", "gzip bomb", "zip bomb", "nan", "infinite",
                 "out-of-range", "geocentric", "null code", "attribute table", "1e400", "27-digit", "bogus gml",
                 "10,000 header cells", "10 mb header cell", "--crs garbage", "200,000 vertices"):
        assert kind in names, kind
