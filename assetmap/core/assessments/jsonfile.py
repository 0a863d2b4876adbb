"""Reading an assessment or a criteria document from a JSON file (``assess --from``, ``criteria --set``).

Every way a file can be wrong becomes a DataError naming the file and, where there is one, the key,
so a user fixing a file by hand sees one line saying what to change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NoReturn

from assetmap.core.errors import DataError, ValidationError

ASSESSMENT_KEYS = "date, assessor, scores, recommendation"
# An assessment or a criteria document is a few kB; these bounds stop a wrong file (a disk image, /dev/zero,
# a generated bomb) from costing memory or a traceback, and are far beyond any document a person writes.
MAX_BYTES = 1_000_000
MAX_DEPTH = 20  # the deepest real document (acv inside an assessment) is 3 levels
MAX_DIGITS = 30  # digits in one JSON number: a price of £10^29 is already not one
MAX_PROBLEMS = 10  # problems spelled out in the one line, before "and N more"
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")  # NUL and unpaired surrogates: not storable, not printable


def load_assessment_json(path: str | Path, keys: str = ASSESSMENT_KEYS) -> dict[str, Any]:
    """The JSON object in ``path``; DataError if it is missing, too big, not UTF-8, not JSON, too deeply
    nested, holds a number or a character no record can keep, or is not an object."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # never more: ``--from /dev/zero`` must not fill the memory
    except FileNotFoundError:
        raise DataError("file not found", file=path) from None
    except IsADirectoryError:
        raise DataError("is a folder, not a JSON file", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc})", file=path) from None
    if len(raw) > MAX_BYTES:
        raise DataError(f"is larger than {MAX_BYTES // 1_000_000} MB, far more than an assessment or criteria "
                        "file holds: is it the right file?", file=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text (save the file as UTF-8 JSON)", file=path) from None
    data = _parse(text, path)
    _check_tree(data, path)
    if not isinstance(data, dict):
        raise DataError(f"expected a JSON object ({{...}}) with keys such as {keys}", file=path)
    return data


def _parse(text: str, path: Path) -> Any:
    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:  # int() of thousands of digits is refused by Python, slowly
            raise DataError(f"a whole number of {len(digits.lstrip('-'))} digits (at most {MAX_DIGITS})", file=path)
        return int(digits)

    def constant(name: str) -> NoReturn:
        raise DataError(f"not valid JSON: {name} is not a number JSON allows (leave the key out instead)", file=path)

    try:
        return json.loads(text, parse_int=integer, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=path) from None
    except RecursionError:
        raise DataError(_too_deep(""), file=path) from None


def _too_deep(where: str) -> str:
    return (f"{where + ': ' if where else ''}nested more than {MAX_DEPTH} levels deep (lists or objects inside "
            "each other); an assessment or criteria file needs 3")


def _check_text(text: str, where: str, path: Path) -> None:
    bad = _NOT_TEXT.search(text)
    if bad:
        raise DataError(f"{_short(where) or 'the document'}: holds the character U+{ord(bad.group()):04X}, which "
                        "is not text (a NUL, or half of a UTF-16 pair); remove it", file=path)


def _short(where: str) -> str:
    """A key's path as the message names it: deep paths cut (``notes[0][0]…``)."""
    return where if len(where) <= 40 else where[:40] + "…"


def _check_tree(data: Any, path: Path) -> None:
    """Refuse nesting deeper than MAX_DEPTH and text no record can keep, walking without recursion."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, str):
            _check_text(value, where, path)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise DataError(_too_deep(_short(where)), file=path)
            if isinstance(value, dict):
                for key, item in value.items():
                    label = f"{where}.{key}" if where else key
                    _check_text(key, _short(label), path)
                    stack.append((item, depth + 1, label))
            else:
                stack.extend((item, depth + 1, f"{where}[{i}]") for i, item in enumerate(value))


def validation_to_data_error(exc: ValidationError, path: str | Path) -> DataError:
    """One line for the CLI: each problem as ``key: what was expected`` (the first MAX_PROBLEMS of them)."""
    items = list(exc.problems.items())
    shown = [f"{str(k)[:60]}: {v}" for k, v in items[:MAX_PROBLEMS]]
    if len(items) > MAX_PROBLEMS:
        shown.append(f"and {len(items) - MAX_PROBLEMS} more problems")
    message = "; ".join(shown)
    return DataError(" ".join(message.split()), file=path)
