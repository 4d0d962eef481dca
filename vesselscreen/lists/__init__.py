"""Sanctions lists: read list files and URLs into a :class:`Watchlist` of vessels and parties.

One module per list format (``ofac_csv``, ``ofac_sdn_xml``, ``ofac_xml``, ``uk``, ``eu``,
``un``, ``opensanctions``, ``custom_csv``, ``frame``), the :class:`Watchlist` container with its snapshot
(``watchlist``), and :func:`load_watchlist`, which sniffs the format and accepts paths,
URLs, bytes, file objects or lists of them. Every reader keeps the accounts of each file
it reads (records accepted, rejected, merged, values flagged: ``wl.reports``,
``wl.summary()``); the bounds it works within are in ``limits``.

>>> wl = load_watchlist(b"name,imo,flag\\nARTAVIL,9187629,Iran\\n")
>>> wl  # doctest: +ELLIPSIS
<Watchlist 1 vessels, 0 entities from custom (snapshot ...)>
>>> wl.vessels[["imo", "flag"]].to_dict("records")
[{'imo': 9187629, 'flag': 'IR'}]
"""

from vesselscreen.lists.eu import read_eu_annex_xlii, read_eu_fsf_csv, read_eu_fsf_xml
from vesselscreen.lists.fetch import ListSpec, UpdateResult, fetch_watchlist, make_session, update_source
from vesselscreen.lists.frame import read_frame
from vesselscreen.lists.load import load_watchlist
from vesselscreen.lists.ofac_sdn_xml import read_ofac_sdn_xml
from vesselscreen.lists.ofac_xml import read_ofac_xml
from vesselscreen.lists.opensanctions import read_opensanctions, read_opensanctions_maritime
from vesselscreen.lists.store import RawFile, SnapshotDiff, SnapshotInfo, SnapshotStore, StoreError
from vesselscreen.lists.uk import read_uk_csv, read_uk_xml
from vesselscreen.lists.un import read_un_1718_csv, read_un_xml
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot

__all__ = [
    "ListSpec",
    "RawFile",
    "SnapshotDiff",
    "SnapshotInfo",
    "SnapshotStore",
    "SourceSnapshot",
    "StoreError",
    "UpdateResult",
    "Watchlist",
    "WatchlistSnapshot",
    "fetch_watchlist",
    "load_watchlist",
    "make_session",
    "read_eu_annex_xlii",
    "read_eu_fsf_csv",
    "read_eu_fsf_xml",
    "read_frame",
    "read_ofac_sdn_xml",
    "read_ofac_xml",
    "read_opensanctions",
    "read_opensanctions_maritime",
    "read_uk_csv",
    "read_uk_xml",
    "read_un_1718_csv",
    "read_un_xml",
    "update_source",
]
