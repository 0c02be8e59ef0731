"""The session-signal schema (UCI "Online Shoppers Purchasing Intention") and strict CSV reading.

One place decides what a valid row is: the columns of ``online_shoppers_train.csv``
(``Revenue`` optional), numbers where numbers belong, known months and visitor types.
Everything else raises :class:`ForecastInputError` with a message naming the row and column,
so the CLI can exit 2 instead of scoring garbage.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

NUMERIC = (
    "Administrative", "Administrative_Duration", "Informational", "Informational_Duration",
    "ProductRelated", "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues",
    "SpecialDay", "OperatingSystems", "Browser", "Region", "TrafficType",
)
CATEGORICAL = ("Month", "VisitorType", "Weekend")
# Input order of the file (and the order features are fed to the model).
COLUMNS = (
    "Administrative", "Administrative_Duration", "Informational", "Informational_Duration",
    "ProductRelated", "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues",
    "SpecialDay", "Month", "OperatingSystems", "Browser", "Region", "TrafficType",
    "VisitorType", "Weekend",
)
OUTCOME = "Revenue"

# The UCI file spells June in full and the other months in three letters; accept both forms.
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTH_CODES: Dict[str, int] = {}
for _i, _m in enumerate(_MONTHS):
    MONTH_CODES[_m] = _i
for _i, _m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                         "september", "october", "november", "december"]):
    MONTH_CODES[_m] = _i
MONTH_CODES["sept"] = 8
VISITOR_CODES = {"returning_visitor": 0, "new_visitor": 1, "other": 2}
_BOOL = {"true": 1, "false": 0, "1": 1, "0": 0, "yes": 1, "no": 0}

CATEGORICAL_MASK = [c in CATEGORICAL for c in COLUMNS]


class ForecastInputError(ValueError):
    """Input rows the model cannot score; the message says what is wrong and where."""


@dataclass(frozen=True)
class Table:
    """Validated rows: the encoded feature matrix and, when the file had it, the outcome."""

    X: np.ndarray
    y: Optional[np.ndarray]


def encode_value(column: str, raw: Any, where: str) -> float:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ForecastInputError(f"{where}: column {column!r} is empty")
    if column == "Month":
        code = MONTH_CODES.get(str(raw).strip().lower())
        if code is None:
            raise ForecastInputError(f"{where}: column 'Month' must be a month name like 'May' or 'June', got {raw!r}")
        return float(code)
    if column == "VisitorType":
        code = VISITOR_CODES.get(str(raw).strip().lower())
        if code is None:
            raise ForecastInputError(
                f"{where}: column 'VisitorType' must be Returning_Visitor, New_Visitor or Other, got {raw!r}")
        return float(code)
    if column in ("Weekend", OUTCOME):
        if isinstance(raw, bool):
            return float(raw)
        code = _BOOL.get(str(raw).strip().lower())
        if code is None:
            raise ForecastInputError(f"{where}: column {column!r} must be TRUE or FALSE, got {raw!r}")
        return float(code)
    if isinstance(raw, bool):
        raise ForecastInputError(f"{where}: column {column!r} must be a number, got {raw!r}")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ForecastInputError(f"{where}: column {column!r} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ForecastInputError(f"{where}: column {column!r} must be a finite number, got {raw!r}")
    if value < 0:
        raise ForecastInputError(f"{where}: column {column!r} must not be negative, got {raw!r}")
    return value


def encode_row(row: Mapping[str, Any], where: str = "row") -> List[float]:
    """One session (all of :data:`COLUMNS`) as the model's feature vector."""
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise ForecastInputError(f"{where}: missing column(s): {', '.join(missing)}")
    return [encode_value(c, row[c], where) for c in COLUMNS]


def check_header(header: Sequence[str], require_outcome: bool = False) -> None:
    names = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if require_outcome and OUTCOME not in names:
        missing.append(OUTCOME)
    extra = [h for h in names if h not in COLUMNS and h != OUTCOME]
    dupes = sorted({h for h in names if names.count(h) > 1})
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if extra:
        problems.append("unexpected column(s): " + ", ".join(repr(e) for e in extra))
    if dupes:
        problems.append("duplicated column(s): " + ", ".join(dupes))
    if problems:
        raise ForecastInputError("; ".join(problems) + f". Expected the columns {', '.join(COLUMNS)}"
                                 f" (and optionally {OUTCOME}).")


def read_table(path: Union[str, Path], require_outcome: bool = False) -> Table:
    """Read and validate a CSV of sessions; raises :class:`ForecastInputError` on any problem."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise ForecastInputError(f"{path}: no such file") from None
    except OSError as exc:
        raise ForecastInputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ForecastInputError(f"{path}: the file is empty (expected a header row and at least one session)")
            check_header(header, require_outcome)
            names = [h.strip() for h in header]
            rows: List[List[float]] = []
            outcomes: List[float] = []
            for line_no, values in enumerate(reader, start=2):
                if not values or not any(v.strip() for v in values):
                    continue
                where = f"{path.name} line {line_no}"
                if len(values) != len(names):
                    raise ForecastInputError(f"{where}: {len(values)} values for {len(names)} columns")
                record = dict(zip(names, values))
                rows.append(encode_row(record, where))
                if OUTCOME in record:
                    outcomes.append(encode_value(OUTCOME, record[OUTCOME], where))
        except UnicodeDecodeError:
            raise ForecastInputError(f"{path}: not a UTF-8 text CSV file") from None
        except csv.Error as exc:
            raise ForecastInputError(f"{path}: not a valid CSV file ({exc})") from None
    if not rows:
        raise ForecastInputError(f"{path}: no sessions after the header row")
    X = np.asarray(rows, dtype=float)
    y = np.asarray(outcomes, dtype=int) if outcomes else None
    return Table(X=X, y=y)
