"""Cleaning rules shared by every AIS reader, and the finishing step of the positions frame.

AIS encodes "not available" as out-of-range values (ITU-R M.1371-5, message 1/18 fields):

============  =================  ===============================================
field         "not available"    what the readers do
============  =================  ===============================================
``sog``       102.3 kn (1023)    NaN; negative values too
``cog``       360.0 (3600)       NaN; so is anything outside [0, 360)
``heading``   511                NaN; so is anything outside [0, 360)
``lat``       91                 row rejected: latitude outside [-90, 90]
``lon``       181                row rejected: longitude outside [-180, 180]
``ship_type`` 0                  NA
``draught``   0                  NaN
``imo``       0                  NA; a failing check digit: NA and a warning
============  =================  ===============================================

>>> frame = pd.DataFrame({"sog": [102.3, 5.0], "cog": [360.0, 12.5], "heading": [511.0, 12.0]})
>>> clean_motion(frame).to_dict("list")
{'sog': [nan, 5.0], 'cog': [nan, 12.5], 'heading': [nan, 12.0]}
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen.errors import ReferenceTimeError
from vesselscreen.identifiers import is_valid_imo
from vesselscreen.ingest import INGEST_REPORT_ATTR, MAX_SAMPLES, IngestReport, RejectionLog
from vesselscreen.schema import POSITION, POSITION_DTYPES, POSITION_OPTIONAL_DTYPES, conform

SOG_NOT_AVAILABLE = 102.3
COG_NOT_AVAILABLE = 360.0
HEADING_NOT_AVAILABLE = 511.0
MMSI_MIN = 1_000_000  # the shortest MMSIs are coast stations 00MIDxxxx: 7 significant digits
MMSI_MAX = 999_999_999

BoolArray = npt.NDArray[np.bool_]


def clean_motion(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with the sog / cog / heading "not available" values (and impossible ones) as NaN."""
    out = frame.copy()
    sog = out[POSITION.SOG].astype("float64")
    out[POSITION.SOG] = sog.where((sog >= 0) & np.isfinite(sog) & ~np.isclose(sog, SOG_NOT_AVAILABLE))
    for column in (POSITION.COG, POSITION.HEADING):
        values = out[column].astype("float64")
        out[column] = values.where((values >= 0) & (values < COG_NOT_AVAILABLE))
    return out


def valid_mmsi(values: npt.NDArray[np.float64] | npt.NDArray[np.int64]) -> BoolArray:
    """Mask of integral MMSIs with 7 to 9 significant digits (as :func:`identifiers.is_valid_mmsi`).

    >>> valid_mmsi(np.array([367752440, 0, 1_234_567_890, 12345])).tolist()
    [True, False, False, False]
    """
    numbers = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
        mask: BoolArray = whole & (numbers >= MMSI_MIN) & (numbers <= MMSI_MAX)
    return mask


def valid_lat(values: npt.NDArray[np.float64]) -> BoolArray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values >= -90.0) & (values <= 90.0)


def valid_lon(values: npt.NDArray[np.float64]) -> BoolArray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values >= -180.0) & (values <= 180.0)


def integer_codes(values: pd.Series, low: int, high: int) -> pd.Series:
    """Floats (``"0.0"`` in CSVs) as integers; values outside ``[low, high]`` or not whole -> NA."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    ok = numbers.between(low, high) & (numbers == np.floor(numbers))
    return numbers.where(ok).astype("Int64")


def imo_validity(imos: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(clean, invalid)``: check-digit-valid IMOs (others NA), and the mask of failing non-zero ones.

    0 means "not available" in AIS and is NA without a warning.

    >>> clean, invalid = imo_validity(pd.Series([9307839, 9307838, 0, None], dtype="Int64"))
    >>> clean.tolist(), invalid.tolist()
    ([9307839, <NA>, <NA>, <NA>], [False, True, False, False])
    """
    numbers = imos.astype("Int64")
    good = [int(number) for number in pd.unique(numbers.dropna()) if is_valid_imo(int(number))]
    valid = numbers.isin(good).fillna(False).astype(bool)
    present = numbers.fillna(0) != 0
    return numbers.where(valid), present & ~valid


def reference_ns(reference_time: datetime | None, source: str) -> int | None:
    """``reference_time`` as UTC nanoseconds since the epoch; a naive one raises ReferenceTimeError.

    >>> from datetime import timezone
    >>> reference_ns(datetime(2024, 1, 1, tzinfo=timezone.utc), "x.nmea")
    1704067200000000000
    """
    if reference_time is None:
        return None
    if not isinstance(reference_time, datetime):
        raise ReferenceTimeError(source, f"reference_time must be a datetime, not {type(reference_time)}")
    if reference_time.tzinfo is None or reference_time.utcoffset() is None:
        raise ReferenceTimeError(
            source, "reference_time is naive: pass a timezone-aware datetime (e.g. tzinfo=timezone.utc)"
        )
    return int(pd.Timestamp(reference_time).tz_convert("UTC").as_unit("ns").value)


def finish(frame: pd.DataFrame, report: IngestReport) -> pd.DataFrame:
    """The canonical positions frame: POSITION columns and dtypes (and the optional ones the
    source gave, `POSITION_OPTIONAL_DTYPES`), sorted by mmsi then time."""
    optional = {c: t for c, t in POSITION_OPTIONAL_DTYPES.items() if c in frame.columns}
    columns = [*(c for c in POSITION_DTYPES if c in frame.columns), *optional]
    out = conform(frame[columns], {**POSITION_DTYPES, **optional})
    out = out.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)
    out.attrs[INGEST_REPORT_ATTR] = report
    return out


def reject_rows(
    log: RejectionLog, reasons: Sequence[str], lines: Sequence[int], raw: Callable[[int], str]
) -> None:
    """Count rejected rows, one ``"class: detail"`` reason each; only the first ones keep detail.

    ``raw(i)`` gives the text of the i-th rejected row; it is called only for kept samples.
    """
    room = max(MAX_SAMPLES - len(log.samples), 0)
    for index, (reason, line) in enumerate(zip(reasons[:room], lines[:room], strict=True)):
        log.reject(reason, line=line, raw=raw(index))
    rest = Counter(reason.split(":", 1)[0].strip() for reason in reasons[room:])
    for reason_class, count in rest.items():
        log.reject(reason_class, n=count)


_SURROGATE = re.compile("[\udc80-\udcff]")
_FIRST_NS = pd.Timestamp.min.tz_localize("UTC")
_LAST_NS = pd.Timestamp.max.tz_localize("UTC")


def utc_ns(times: pd.Series) -> pd.Series:
    """Timezone-aware times (any unit) as ``datetime64[ns, UTC]``; a time a nanosecond clock
    cannot hold (before 1677, after 2262) is NaT, so its row is rejected, not the file.

    >>> dates = pd.Series(pd.to_datetime(["1000-01-01", "2024-01-01"], utc=True, format="ISO8601"))
    >>> utc_ns(dates).tolist()
    [NaT, Timestamp('2024-01-01 00:00:00+0000', tz='UTC')]
    """
    inside = (times >= _FIRST_NS) & (times <= _LAST_NS)
    converted: pd.Series = times.where(inside).astype("datetime64[ns, UTC]")
    return converted


def holds_undecodable_bytes(value: object) -> bool:
    """Whether JSON parsed from text decoded with ``errors="surrogateescape"`` holds one of the
    bytes that were not UTF-8 (a lone surrogate ``\\udc80``-``\\udcff``) in a key or a text.

    Readers decode a whole JSON document that way so that one bad byte fails its record only.

    >>> holds_undecodable_bytes({"NAME": b"ZAC \\xff".decode("utf-8", "surrogateescape")})
    True
    >>> holds_undecodable_bytes({"NAME": "ZAC V", "SOG": [1, 2]})
    False
    """
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def combine_reports(reports: Sequence[IngestReport]) -> IngestReport:
    """One report for several sources: counts summed, samples concatenated (first 100 kept)."""
    formats = sorted({report.format for report in reports})

    def summed(field: str) -> dict[str, int]:
        total: dict[str, int] = {}
        for report in reports:
            for key, value in getattr(report, field).items():
                total[key] = total.get(key, 0) + value
        return total

    return IngestReport(
        source=", ".join(report.source for report in reports),
        format=formats[0] if len(formats) == 1 else "mixed",
        records=sum(report.records for report in reports),
        accepted=sum(report.accepted for report in reports),
        rejected=sum(report.rejected for report in reports),
        reasons=summed("reasons"),
        warnings=summed("warnings"),
        notes=summed("notes"),
        samples=[sample for report in reports for sample in report.samples][:MAX_SAMPLES],
    )
