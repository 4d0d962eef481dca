"""The ``vesselscreen`` command.

    vesselscreen screen --ais positions.nmea --list sdn.csv [--output table|json|csv]
    vesselscreen demo

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
    return parser


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
        return _screen(args)
    except VesselScreenError as exc:
        print(f"vesselscreen: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
