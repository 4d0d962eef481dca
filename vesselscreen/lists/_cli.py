"""The ``vesselscreen lists`` commands: update, import, show and diff the snapshot store.

Each prints plain text to stdout; a failed source (or imported file) is reported on
stderr in one line (``vesselscreen: error: ...``) and makes the exit status 2, after the
others ran.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from vesselscreen.errors import ConfigError, VesselScreenError
from vesselscreen.lists.fetch import SOURCES, update_source
from vesselscreen.lists.imports import (
    DatedCopy,
    date_from_name,
    folder_copies,
    import_file,
    manifest_copies,
    parse_time,
)
from vesselscreen.lists.store import SnapshotDiff, SnapshotStore
from vesselscreen.schema import WATCHLIST

__all__ = ["run_lists"]


def run_lists(args: argparse.Namespace) -> int:
    """Run ``vesselscreen lists <command>``; returns the exit status."""
    store = SnapshotStore(args.store)
    if args.lists_command == "update":
        return _update(store, args.sources, args.url, quiet=args.quiet)
    if args.lists_command == "import":
        return _import(store, args)
    if args.lists_command == "show":
        return _show(store, args.source)
    return _diff(store, args.source, args.from_id, args.to_id, entities=args.entities)


def _copies(args: argparse.Namespace) -> list[DatedCopy]:
    if args.manifest:
        if args.paths or args.source or args.as_of:
            raise ConfigError(
                "--manifest names the files, sources and times: give no FILE, --source or --as-of"
            )
        return manifest_copies(args.manifest)
    if not args.paths:
        raise ConfigError("name the FILEs or FOLDERs to import, or a --manifest")
    if not args.source:
        raise ConfigError(
            f"say which list the files are copies of: --source NAME (e.g. {', '.join(SOURCES)})"
        )
    if args.as_of:
        if len(args.paths) != 1 or Path(args.paths[0]).is_dir():
            raise ConfigError("--as-of dates one FILE; date several by their names or a --manifest")
        return [
            DatedCopy(Path(args.paths[0]), args.source, parse_time(args.as_of, what="--as-of"), args.format)
        ]
    copies: list[DatedCopy] = []
    for name in args.paths:
        path = Path(name)
        if path.is_dir():
            copies.extend(folder_copies(path, source=args.source, format=args.format))
            continue
        when = date_from_name(path.name)
        if when is None:
            raise ConfigError(
                f"{path}: no date in its name (e.g. sdn_2024-09-11.csv); give it with --as-of or a --manifest"
            )
        copies.append(DatedCopy(path, args.source, when, args.format))
    return sorted(copies, key=lambda c: (c.retrieved_at, str(c.path)))


def _import(store: SnapshotStore, args: argparse.Namespace) -> int:
    failed = False
    for copy in _copies(args):
        try:
            result = import_file(store, copy.path, source=copy.source, retrieved_at=copy.retrieved_at,
                                 format=copy.format, min_fraction=args.min_fraction)  # fmt: skip
        except VesselScreenError as exc:
            print(f"vesselscreen: error: {copy.path.name}: {exc}", file=sys.stderr)
            failed = True
            continue
        print(result.summary())
    return 2 if failed else 0


def _urls(pairs: Sequence[str]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise ConfigError(f"--url takes SOURCE=URL, not {pair!r}")
        urls[name.strip()] = url.strip()
    return urls


def _update(store: SnapshotStore, sources: Sequence[str], url_pairs: Sequence[str], *, quiet: bool) -> int:
    urls = _urls(url_pairs)
    names = list(dict.fromkeys(sources or [*urls, *store.sources()]))
    if not names:
        raise ConfigError(
            f"the store {store.path} has no lists yet: name the ones to fetch, "
            f"e.g. `vesselscreen lists update ofac_sdn` (built in: {', '.join(SOURCES)})"
        )
    failed = False
    for name in names:
        try:
            result = update_source(name, store=store, urls=urls, progress=False if quiet else None)
        except VesselScreenError as exc:
            print(f"vesselscreen: error: {name}: {exc}", file=sys.stderr)
            failed = True
            continue
        print(result.summary())
    return 2 if failed else 0


def _show(store: SnapshotStore, source: str | None) -> int:
    snapshots = store.snapshots(source)
    if not snapshots:
        print(f"no snapshots{f' of {source}' if source else ''} in {store.path}")
        return 0
    seen = store.observations(source)["snapshot_id"].value_counts()
    rows = pd.DataFrame(
        {
            "id": [s.id for s in snapshots],
            "source": [s.source for s in snapshots],
            "retrieved (UTC)": [f"{s.retrieved_at:%Y-%m-%d %H:%M}" for s in snapshots],
            "checked (UTC)": [f"{s.checked_at:%Y-%m-%d %H:%M}" for s in snapshots],
            "seen": [int(seen.get(s.id, 0)) for s in snapshots],
            "vessels": [s.vessels for s in snapshots],
            "entities": [s.entities for s in snapshots],
            "sha256": [s.sha256[:12] for s in snapshots],
            "bytes": [s.size for s in snapshots],
            "format": [s.format for s in snapshots],
            "url": [s.url for s in snapshots],
        }
    )
    print(f"{store.path}")
    print(rows.to_string(index=False))
    return 0


def _pick(
    store: SnapshotStore, source: str | None, from_id: int | None, to_id: int | None
) -> tuple[int, int]:
    if source is None:
        known = [store.info(i).source for i in (to_id, from_id) if i is not None] or store.sources()
        if len(set(known)) != 1:
            raise ConfigError(
                f"name the SOURCE to compare (the store has: {', '.join(store.sources()) or 'none'})"
            )
        source = known[0]
    observed = store.observations(source)["snapshot_id"].tolist()
    if not observed:
        raise ConfigError(f"no snapshots of {source!r} in {store.path}")
    # the versions in time order: consecutive observations of one content are one version
    versions = [i for n, i in enumerate(observed) if n == 0 or observed[n - 1] != i]
    to = to_id if to_id is not None else versions[-1]
    if from_id is not None:
        return from_id, to
    last = max((n for n, i in enumerate(versions) if i == to), default=0)
    if last == 0:
        raise ConfigError(
            f"snapshot #{to} is the first of {source!r}: there is nothing older to compare with"
        )
    return versions[last - 1], to


def _diff(
    store: SnapshotStore, source: str | None, from_id: int | None, to_id: int | None, *, entities: bool
) -> int:
    a, b = _pick(store, source, from_id, to_id)
    diff = store.diff(a, b, kind="entities" if entities else "vessels")
    print(diff.summary())
    _print_diff(diff)
    return 0


def _describe(row: pd.Series) -> str:
    imo = row.get(WATCHLIST.IMO)
    return f"{row[WATCHLIST.ENTRY_ID]}  {row[WATCHLIST.NAME]}" + (f"  IMO {imo}" if pd.notna(imo) else "")


def _print_diff(diff: SnapshotDiff) -> None:
    for _, row in diff.added.iterrows():
        print(f"+ {_describe(row)}")
    for _, row in diff.removed.iterrows():
        print(f"- {_describe(row)}")
    for _, row in diff.changed.iterrows():
        change = f"{row['field']} {row['old']!r} -> {row['new']!r}"
        print(f"~ {row[WATCHLIST.ENTRY_ID]}  {row[WATCHLIST.NAME]}: {change}")
