"""Reading an assessment or a criteria document from a JSON file (``assess --from``, ``criteria --set``).

Every way a file can be wrong becomes a DataError naming the file and, where there is one, the key,
so a user fixing a file by hand sees one line saying what to change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assetmap.core.errors import DataError, ValidationError

ASSESSMENT_KEYS = "date, assessor, scores, recommendation"


def load_assessment_json(path: str | Path, keys: str = ASSESSMENT_KEYS) -> dict[str, Any]:
    """The JSON object in ``path``; DataError if it is missing, not UTF-8, not JSON or not an object."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError("file not found", file=path) from None
    except IsADirectoryError:
        raise DataError("is a folder, not a JSON file", file=path) from None
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text (save the file as UTF-8 JSON)", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=path) from None
    if not isinstance(data, dict):
        raise DataError(f"expected a JSON object ({{...}}) with keys such as {keys}", file=path)
    return data


def validation_to_data_error(exc: ValidationError, path: str | Path) -> DataError:
    """One line for the CLI: each problem as ``key: what was expected``."""
    message = "; ".join(f"{k}: {v}" for k, v in exc.problems.items())
    return DataError(" ".join(message.split()), file=path)
