"""Designation status *as of an event's time*, vectorised.

Dates are days (midnight UTC), and an event on the listing day counts as designated, as
for the dates the lists give. When dated snapshots only bound the listing day to an
interval (``listed_not_before`` .. ``listed_on``, from :mod:`vesselscreen.lists.store`),
an event before the interval is ``pre_designation``, one on or after its last day is
``designated``, and one inside it is ``listing_uncertain``: no guess. Delistings the same
way (``delisted_not_before`` .. ``delisted_on``, ``delisting_uncertain``).

>>> import pandas as pd
>>> t = pd.Series(pd.to_datetime(["2024-08-29", "2024-09-12", "2024-09-12"], utc=True))
>>> listed = pd.Series(pd.to_datetime(["2024-09-10", "2024-09-10", None], utc=True))
>>> delisted = pd.Series(pd.NaT, index=range(3), dtype="datetime64[ns, UTC]")
>>> designation_status(t, listed, delisted).tolist()
['pre_designation', 'designated', 'listing_date_unknown']

Listed between the snapshots of 2024-05-03 (absent) and 2024-09-11 (present):

>>> t = pd.Series(pd.to_datetime(["2024-05-01", "2024-08-29", "2024-09-15"], utc=True))
>>> listed = pd.Series(pd.to_datetime(["2024-09-11"] * 3, utc=True))
>>> not_before = pd.Series(pd.to_datetime(["2024-05-03"] * 3, utc=True))
>>> designation_status(t, listed, delisted, listed_not_before=not_before).tolist()
['pre_designation', 'listing_uncertain', 'designated']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.models import DesignationStatus
from vesselscreen.schema import LISTED

__all__ = ["designation_status", "status_during"]


def _missing(index: pd.Index) -> np.ndarray:
    return np.full(len(index), np.datetime64("NaT", "ns"))


def designation_status(
    event_time: pd.Series,
    listed_on: pd.Series,
    delisted_on: pd.Series,
    *,
    listed_not_before: pd.Series | None = None,
    delisted_not_before: pd.Series | None = None,
) -> pd.Series:
    """For each row: was the entry designated at ``event_time``?

    In order: ``delisted`` on or after the delisting date; ``delisting_uncertain`` from
    ``delisted_not_before`` to the delisting date; ``pre_designation`` before
    ``listed_not_before``; ``listing_date_unknown`` when the list gives no date (the
    event cannot be placed); ``listing_uncertain`` from ``listed_not_before`` to the
    listing date; ``pre_designation`` before the listing date; otherwise ``designated``.
    Without the two keyword columns (or where they are NaT) the dates are taken as exact.
    """
    event = _days(event_time)
    listed = _days(listed_on)
    delisted = _days(delisted_on)
    listed_from = _days(listed_not_before) if listed_not_before is not None else _missing(event_time.index)
    delisted_from = (
        _days(delisted_not_before) if delisted_not_before is not None else _missing(event_time.index)
    )
    with np.errstate(invalid="ignore"):
        conditions = [
            ~np.isnat(delisted) & (event >= delisted),
            ~np.isnat(delisted_from) & (event >= delisted_from),
            ~np.isnat(listed_from) & (event < listed_from),
            np.isnat(listed),
            ~np.isnat(listed_from) & (event < listed),
            event < listed,
        ]
    choices = [
        DesignationStatus.DELISTED.value,
        DesignationStatus.DELISTING_UNCERTAIN.value,
        DesignationStatus.PRE_DESIGNATION.value,
        DesignationStatus.LISTING_DATE_UNKNOWN.value,
        DesignationStatus.LISTING_UNCERTAIN.value,
        DesignationStatus.PRE_DESIGNATION.value,
    ]
    status = np.select(conditions, choices, default=DesignationStatus.DESIGNATED.value)
    return pd.Series(status, index=event_time.index, dtype="string")


def status_during(rows: pd.DataFrame, start: str, end: str) -> tuple[pd.Series, pd.Series]:
    """(status, status_changed) of events joined to `schema.LISTED` rows, judged by overlap.

    An event is judged at its start; one in progress when the entry was listed is
    ``designated`` (for the part after the listing) and one in progress when it was
    delisted is ``designated`` (for the part before): ``status_changed`` says ``listed`` or
    ``delisted``.
    """
    dates = (rows[LISTED.LISTED_ON], rows[LISTED.DELISTED_ON])
    intervals = {
        "listed_not_before": rows[LISTED.LISTED_NOT_BEFORE],
        "delisted_not_before": rows[LISTED.DELISTED_NOT_BEFORE],
    }
    # plain arrays of the few joined rows: Series of strings cost more per operation
    at_start = designation_status(rows[start], *dates, **intervals).to_numpy(dtype=object)
    at_end = designation_status(rows[end], *dates, **intervals).to_numpy(dtype=object)
    designated = DesignationStatus.DESIGNATED.value
    listed_during = (at_start != designated) & (at_end == designated)
    delisted_during = (at_start == designated) & (at_end != designated)
    status = np.where(listed_during, designated, at_start)
    changed = np.full(len(rows), None, dtype=object)
    changed[listed_during], changed[delisted_during] = "listed", "delisted"
    return (
        pd.Series(status, index=rows.index, dtype="string"),
        pd.Series(changed, index=rows.index, dtype="string"),
    )


def _days(values: pd.Series) -> np.ndarray:
    """UTC instants as naive datetime64[ns] (NaT for missing), comparable with each other."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.to_numpy(dtype="datetime64[ns]")  # aware -> UTC wall time, no parsing
    instants = pd.to_datetime(pd.Series(values), utc=True)
    return instants.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
