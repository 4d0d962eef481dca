"""The ``vesselscreen`` command.

    vesselscreen screen --ais positions.nmea --list sdn.csv [--output table|json|csv]
    vesselscreen demo
    vesselscreen lists update [SOURCE...] [--store PATH] [--url SOURCE=URL]
    vesselscreen lists import FILE|FOLDER... --source NAME [--as-of TIME] | --manifest CSV [--store PATH]
    vesselscreen lists show [SOURCE] [--store PATH]
    vesselscreen lists diff [SOURCE] [--from ID] [--to ID] [--entities] [--store PATH]

Errors in the input are reported in one line naming the file (exit status 2), never as
a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime

from vesselscreen._version import __version__
from vesselscreen.errors import ReferenceTimeError, VesselScreenError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vesselscreen", description="Screen ships against sanctions lists using AIS data."
    )
    parser.add_argument("--version", action="version", version=f"vesselscreen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    screen = commands.add_parser("screen", help="screen AIS files against list files")
    screen.add_argument("--ais", action="append", required=True, metavar="FILE", help="AIS file (repeatable)")
    screen.add_argument(
        "--list", action="append", required=True, metavar="FILE", help="list file (repeatable)"
    )
    screen.add_argument("--output", choices=("table", "json", "csv"), default="table")
    screen.add_argument(
        "--reference-time",
        metavar="ISO8601",
        help="UTC time for NMEA logs that carry no timestamps, e.g. 2024-09-01T00:00:00Z",
    )
    commands.add_parser("demo", help="screen the bundled simulated Caspian data set")
    _lists_parser(commands)
    return parser


def _lists_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--store",
        metavar="PATH",
        help="snapshot database (default: $VESSELSCREEN_STORE, else snapshots.sqlite3 in the user data dir)",
    )
    lists = commands.add_parser("lists", help="fetch sanctions lists and inspect their stored snapshots")
    actions = lists.add_subparsers(dest="lists_command", required=True)
    update = actions.add_parser(
        "update",
        parents=[store],
        help="download lists from their publishers into the store",
        description="Download each SOURCE (default: every source already in the store) into the store.",
    )
    update.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="ofac_sdn, ofac_cons, uk, eu_fsf, un, ..."
    )
    update.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="SOURCE=URL",
        help="use this URL for SOURCE (repeatable)",
    )
    update.add_argument("--quiet", action="store_true", help="no progress bars")
    imports = actions.add_parser(
        "import",
        parents=[store],
        help="add dated copies of a list you already keep (backfill the history)",
        description="Import each FILE as a copy of SOURCE current at --as-of, or dated by its name "
        "(YYYY-MM-DD or YYYYMMDD, optionally THHMM, UTC); a FOLDER imports every file in it; "
        "--manifest takes a CSV of path, source, retrieved_at.",
    )
    imports.add_argument("paths", nargs="*", metavar="FILE|FOLDER")
    imports.add_argument("--source", metavar="NAME", help="the list the files are copies of (e.g. ofac_sdn)")
    imports.add_argument("--as-of", metavar="TIME", help="when the one FILE was current (2024-09-11T06:00Z)")
    imports.add_argument("--manifest", metavar="CSV", help="a CSV with columns path, source, retrieved_at")
    imports.add_argument("--format", metavar="FORMAT", help="the files' list format (default: sniffed)")
    imports.add_argument(
        "--min-fraction",
        type=float,
        default=0.5,
        metavar="X",
        help="refuse a copy with fewer vessels (or other entries) than X times the copy before it (0.5)",
    )
    show = actions.add_parser("show", parents=[store], help="list the stored snapshots")
    show.add_argument("source", nargs="?", metavar="SOURCE")
    diff = actions.add_parser(
        "diff", parents=[store], help="vessels added, removed and changed between snapshots"
    )
    diff.add_argument("source", nargs="?", metavar="SOURCE")
    diff.add_argument(
        "--from", dest="from_id", type=int, metavar="ID", help="older snapshot (default: the one before --to)"
    )
    diff.add_argument(
        "--to", dest="to_id", type=int, metavar="ID", help="newer snapshot (default: the latest)"
    )
    diff.add_argument("--entities", action="store_true", help="compare the non-vessel parties instead")


def _reference_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReferenceTimeError("--reference-time", f"not an ISO 8601 time: {text!r}") from exc
    if value.tzinfo is None:
        raise ReferenceTimeError("--reference-time", f"needs a UTC offset (e.g. {text}Z)")
    return value


def _screen(args: argparse.Namespace) -> int:
    from vesselscreen.ais import read_ais
    from vesselscreen.ingest import ingest_report
    from vesselscreen.lists import load_watchlist
    from vesselscreen.report import findings_table
    from vesselscreen.screening import screen

    watchlist = load_watchlist(args.list)
    ais = read_ais(args.ais, reference_time=_reference_time(args.reference_time))
    result = screen(ais, watchlist)
    if args.output == "json":
        print(result.to_json())
    elif args.output == "csv":
        frame = result.to_frame()
        frame["entry_ids"] = frame["entry_ids"].map(";".join)
        print(frame.to_csv(index=False), end="")
    else:
        report = ingest_report(ais)
        for list_report in watchlist.reports:
            print(list_report.summary(), file=sys.stderr)
        if report is not None:
            print(report.summary(), file=sys.stderr)
        print(findings_table(result.findings))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vesselscreen`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from vesselscreen.demo import run

            run()
            return 0
        if args.command == "lists":
            from vesselscreen.lists._cli import run_lists

            return run_lists(args)
        return _screen(args)
    except VesselScreenError as exc:
        print(f"vesselscreen: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
