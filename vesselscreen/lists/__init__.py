"""Sanctions lists: read list files and URLs into a :class:`Watchlist` of vessels and parties.

One module per list format (``ofac_csv``, ``custom_csv``), the :class:`Watchlist`
container with its snapshot (``watchlist``), and :func:`load_watchlist`, which sniffs
the format and accepts paths, URLs, bytes, file objects or lists of them.

>>> wl = load_watchlist(b"name,imo,flag\\nARTAVIL,9187629,Iran\\n")
>>> wl  # doctest: +ELLIPSIS
<Watchlist 1 vessels, 0 entities from custom (snapshot ...)>
>>> wl.vessels[["imo", "flag"]].to_dict("records")
[{'imo': 9187629, 'flag': 'IR'}]
"""

from vesselscreen.lists.load import load_watchlist
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot

__all__ = ["SourceSnapshot", "Watchlist", "WatchlistSnapshot", "load_watchlist"]
