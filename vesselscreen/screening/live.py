"""``Screener``: screen a live feed incrementally; each finding is reported once.

Feed it position chunks as they arrive (from a websocket, a file tail, a queue). It
keeps a sliding window of recent positions so events that span chunks (a port call that
began an hour ago) are still detected, and it remembers what it has reported.

>>> import vesselscreen as vs
>>> ais = vs.read_ais(vs.demo.ais_path())
>>> screener = vs.Screener(vs.load_watchlist(vs.demo.watchlist_path()))
>>> halves = [ais.iloc[: len(ais) // 2], ais.iloc[len(ais) // 2 :]]
>>> new = [len(screener.feed(chunk)) for chunk in halves]
>>> sum(new) == len(screener.reported) > 0
True
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from vesselscreen.errors import ConfigError
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Finding
from vesselscreen.schema import POSITION
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.engine import screen

__all__ = ["Screener", "finding_key"]

FindingKey = tuple[str, int | None, str | None, tuple[str, ...], int | None]


def finding_key(finding: Finding) -> FindingKey:
    """What a finding is about, apart from its time: kind, vessel, port, entries, counterpart."""
    return (str(finding.kind), finding.mmsi, finding.port_id, finding.entry_ids, finding.counterpart_mmsi)


class Screener:
    """Incremental screening over a stream of position chunks.

    ``reported`` lists every finding reported so far, in order.

    Args:
        watchlist: the lists to screen against.
        window: how much history to keep per feed (default 3 days): events longer than
            this are reported with the start the window still shows.
        ports, config, registry: as for :func:`vesselscreen.screen`.
    """

    def __init__(
        self,
        watchlist: Watchlist,
        *,
        window: timedelta = timedelta(days=3),
        ports: pd.DataFrame | None = None,
        config: ScreeningConfig | None = None,
        registry: pd.DataFrame | None = None,
    ) -> None:
        if not isinstance(watchlist, Watchlist):
            raise ConfigError(f"Screener(watchlist): expected a Watchlist, got {type(watchlist).__name__}")
        self.watchlist = watchlist
        self.window = window
        self.ports = ports
        self.config = config
        self.registry = registry
        self.reported: list[Finding] = []
        self._seen: dict[FindingKey, list[tuple[pd.Timestamp, pd.Timestamp]]] = {}
        self._buffer: pd.DataFrame | None = None

    def feed(self, chunk: pd.DataFrame) -> list[Finding]:
        """Screen the window plus ``chunk``; return only findings not reported before."""
        frames = [f for f in (self._buffer, chunk) if f is not None and not f.empty]
        if not frames:
            return []
        window = pd.concat(frames, ignore_index=True).drop_duplicates()
        window = window.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)
        latest = window[POSITION.TIMESTAMP].max()
        self._buffer = window[window[POSITION.TIMESTAMP] >= latest - self.window].reset_index(drop=True)
        result = screen(window, self.watchlist, ports=self.ports, config=self.config, registry=self.registry)
        new = [finding for finding in result.findings if self._is_new(finding)]
        self.reported.extend(new)
        return new

    def _is_new(self, finding: Finding) -> bool:
        """A finding is the same as a reported one when it is about the same thing and their
        times overlap (the window may show only part of an event, or more of it)."""
        start = pd.Timestamp(finding.start) if finding.start else pd.Timestamp.min.tz_localize("UTC")
        end = pd.Timestamp(finding.end) if finding.end else start
        spans = self._seen.setdefault(finding_key(finding), [])
        # a listed vessel is reported once per entry, whatever part of its track the window shows
        once = finding.kind == "designated_vessel"
        for i, (seen_start, seen_end) in enumerate(spans):
            if once or (start <= seen_end and end >= seen_start):
                spans[i] = (min(start, seen_start), max(end, seen_end))
                return False
        spans.append((start, end))
        return True
