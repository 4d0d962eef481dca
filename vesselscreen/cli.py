"""The ``vesselscreen`` command.

    vesselscreen screen --ais FILE... (--list FILE... | --store [PATH] [--as-of DATE]) [options]
    vesselscreen demo [--report PATH]
    vesselscreen lists update [SOURCE...] [--store PATH] [--url SOURCE=URL]
    vesselscreen lists import FILE|FOLDER... --source NAME [--as-of TIME] | --manifest CSV [--store PATH]
    vesselscreen lists show [SOURCE] [--store PATH]
    vesselscreen lists diff [SOURCE] [--from ID] [--to ID] [--entities] [--store PATH]

Exit status of ``screen``: 0 when it ran (and, with ``--fail-on``, found nothing at or
above that severity), 1 when ``--fail-on`` found something, 2 for bad input or usage
(one line ``vesselscreen: error: ...`` on stderr, never a traceback), 130 when
interrupted, 141 when the reader of stdout went away (``| head``), as for SIGPIPE.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vesselscreen._version import __version__
from vesselscreen.errors import ConfigError, ReferenceTimeError, SourceNotFoundError, VesselScreenError

if TYPE_CHECKING:
    import pandas as pd

    from vesselscreen.lists.watchlist import Watchlist
    from vesselscreen.screening.config import ScreeningConfig
    from vesselscreen.screening.result import ScreeningResult

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_ERROR", "EXIT_FOUND", "EXIT_INTERRUPTED", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_FOUND = 1
"""``--fail-on`` found a finding at or above its severity."""
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE

_SEVERITIES = ("low", "medium", "high", "critical")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vesselscreen", description="Screen ships against sanctions lists using AIS data."
    )
    parser.add_argument("--version", action="version", version=f"vesselscreen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _screen_parser(commands)
    demo = commands.add_parser("demo", help="screen the bundled simulated Caspian data set")
    demo.add_argument(
        "--report",
        metavar="PATH",
        default="vesselscreen-demo-report.html",
        help="where to write the HTML report (default: %(default)s)",
    )
    _lists_parser(commands)
    return parser


def _screen_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    screen = commands.add_parser(
        "screen",
        help="screen AIS files against list files or stored list snapshots",
        description="Screen AIS positions against sanctions lists. Exit status: 0 done, 1 --fail-on "
        "found something, 2 bad input, 130 interrupted, 141 output closed.",
    )
    inputs = screen.add_argument_group("inputs")
    inputs.add_argument("--ais", action="append", required=True, metavar="FILE", help="AIS file (repeatable)")
    inputs.add_argument(
        "--list", action="append", default=[], metavar="FILE", help="list file or URL (repeatable)"
    )
    inputs.add_argument(
        "--store",
        nargs="?",
        const="",
        metavar="PATH",
        help="screen against the snapshots that `vesselscreen lists update` stored (default store: "
        "$VESSELSCREEN_STORE, else snapshots.sqlite3 in the user data dir)",
    )
    inputs.add_argument(
        "--as-of",
        metavar="DATE",
        help="with --store: the lists as they were on this day (YYYY-MM-DD, or an ISO time with offset)",
    )
    inputs.add_argument(
        "--source", action="append", default=None, metavar="SOURCE", help="with --store: only these sources"
    )
    inputs.add_argument(
        "--include-delisted",
        action="store_true",
        help="with --store: keep entries later snapshots dropped (events before their removal still count)",
    )
    inputs.add_argument("--config", metavar="FILE", help="ScreeningConfig as TOML or JSON")
    inputs.add_argument("--ports", metavar="FILE", help="port gazetteer CSV (default: the bundled one)")
    inputs.add_argument(
        "--registry", metavar="FILE", help="ownership registry CSV (imo, registered_owner, ...)"
    )
    inputs.add_argument(
        "--reference-time",
        metavar="ISO8601",
        help="UTC time for NMEA logs that carry no timestamps, e.g. 2024-09-01T00:00:00Z",
    )
    outputs = screen.add_argument_group("outputs")
    outputs.add_argument("--output", choices=("table", "json", "csv", "geojson"), default="table")
    outputs.add_argument(
        "--group-by",
        choices=("vessel", "kind"),
        default="vessel",
        help="table: one story per vessel, riskiest first (default), or one block per finding kind",
    )
    outputs.add_argument("--output-file", metavar="PATH", help="write the output there instead of stdout")
    outputs.add_argument("--report", metavar="PATH", help="also write the self-contained HTML report there")
    outputs.add_argument(
        "--fail-on",
        choices=_SEVERITIES,
        metavar="{low,medium,high,critical}",
        help="exit with status 1 if any finding is this severe or more (for scheduled jobs)",
    )
    progress = outputs.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="report each stage on stderr (default: if a terminal)",
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false")


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
    value = _parse_time(text, "--reference-time")
    if not isinstance(value, datetime) or value.tzinfo is None:
        day = value.isoformat() if not isinstance(value, datetime) else value.replace(tzinfo=None).isoformat()
        hint = f"{day}T00:00:00Z" if not isinstance(value, datetime) else f"{day}Z"
        raise ReferenceTimeError("--reference-time", f"needs a UTC offset, e.g. {hint}")
    return value


def _parse_time(text: str, option: str) -> date | datetime:
    """A date (``2024-09-01``) or a datetime (``2024-09-01T06:00:00Z``); ``Z`` means UTC."""
    clean = text.strip()
    if clean.endswith(("Z", "z")):
        clean = clean[:-1] + "+00:00"
    try:
        if len(clean) == 10:
            return date.fromisoformat(clean)
        return datetime.fromisoformat(clean)
    except ValueError as exc:
        raise ConfigError(
            f"{option}: not an ISO 8601 date or time: {text!r} (e.g. 2024-09-01 or 2024-09-01T00:00:00Z)"
        ) from exc


class _Progress:
    """Stage messages on stderr with elapsed seconds (``--progress``; default: when stderr is a terminal)."""

    def __init__(self, enabled: bool | None, stream: TextIO) -> None:
        self.enabled = stream.isatty() if enabled is None else enabled
        self.stream = stream
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.monotonic() - self.start:6.1f} s] {message}", file=self.stream, flush=True)


def _load_config(path: str | None) -> ScreeningConfig:
    from pydantic import ValidationError

    from vesselscreen.screening.config import ScreeningConfig

    if path is None:
        return ScreeningConfig()
    file = Path(path)
    if not file.is_file():
        raise SourceNotFoundError(path, "no such file")
    text = file.read_text(encoding="utf-8")
    try:
        if file.suffix.lower() == ".toml":
            import tomllib

            return ScreeningConfig.model_validate(tomllib.loads(text))
        return ScreeningConfig.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from exc
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(
            f"{path}: not valid {'TOML' if file.suffix.lower() == '.toml' else 'JSON'}: {exc}"
        ) from exc


def _read_csv(path: str) -> pd.DataFrame:
    import pandas as pd

    from vesselscreen.errors import FormatError

    if not Path(path).is_file():
        raise SourceNotFoundError(path, "no such file")
    try:
        # keep_default_na=False: "NA" is Namibia's country code, not a missing value
        return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", pd.NA)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(path, f"not a readable CSV file: {exc}") from exc


def _ports(path: str | None) -> pd.DataFrame | None:
    if path is None:
        return None
    import pandas as pd

    from vesselscreen.geo.ports import validate_ports

    raw = _read_csv(path)
    for name in ("lat", "lon", "radius_m"):
        if name in raw.columns:
            raw[name] = pd.to_numeric(raw[name], errors="coerce")
    return validate_ports(raw, what=path)


def _watchlist(args: argparse.Namespace) -> Watchlist:
    from vesselscreen.lists import load_watchlist
    from vesselscreen.lists.store import SnapshotStore
    from vesselscreen.lists.watchlist import Watchlist

    if not args.list and args.store is None:
        raise ConfigError(
            "give the lists to screen against: --list FILE, or --store for the snapshots "
            "that `vesselscreen lists update` fetched"
        )
    if args.store is None and (args.as_of or args.source or args.include_delisted):
        raise ConfigError("--as-of, --source and --include-delisted choose stored snapshots: add --store")
    parts = [load_watchlist(args.list)] if args.list else []
    if args.store is not None:
        store = SnapshotStore(args.store or None)
        if not store.sources():
            raise ConfigError(
                f"the store {store.path} has no lists yet: run `vesselscreen lists update "
                "ofac_sdn` (or another source) first, or pass --list FILE"
            )
        as_of = _parse_time(args.as_of, "--as-of") if args.as_of else None
        if isinstance(as_of, datetime) and as_of.tzinfo is None:
            raise ConfigError(
                f"--as-of: a time needs a UTC offset, e.g. {as_of.isoformat()}Z (or give a date)"
            )
        parts.append(store.watchlist(as_of, sources=args.source, include_delisted=args.include_delisted))
    return parts[0] if len(parts) == 1 else Watchlist.concat(parts)


def _write(text: str, path: str | None, stdout: TextIO) -> None:
    if path is None:
        stdout.write(text if text.endswith("\n") else text + "\n")
        stdout.flush()
        return
    try:
        Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--output-file {path}: cannot write: {exc.strerror or exc}") from exc


def _render(result: ScreeningResult, output: str, group_by: str) -> str:
    if output == "json":
        return result.to_json()
    if output == "geojson":
        return result.to_geojson(indent=None)
    if output == "csv":
        frame = result.to_frame()
        frame["entry_ids"] = frame["entry_ids"].map(";".join)
        return str(frame.to_csv(index=False))
    return result.text(group_by="kind" if group_by == "kind" else "vessel")


def _screen(args: argparse.Namespace) -> int:
    import pandas as pd

    from vesselscreen.ais import read_ais
    from vesselscreen.ingest import ingest_report
    from vesselscreen.screening import screen

    progress = _Progress(args.progress, sys.stderr)
    reference_time = _reference_time(args.reference_time)  # options first: fail before any slow reading
    if args.as_of:
        _parse_time(args.as_of, "--as-of")
    config = _load_config(args.config)
    ports = _ports(args.ports)
    registry = _read_csv(args.registry) if args.registry else None
    if registry is not None and "imo" in registry.columns:
        registry["imo"] = pd.to_numeric(registry["imo"], errors="coerce").astype("Int64")
    progress("reading lists")
    watchlist = _watchlist(args)
    progress(f"{len(watchlist)} listed vessels (snapshot {watchlist.snapshot.id}); reading AIS")
    ais = read_ais(args.ais, reference_time=reference_time)
    progress(f"{len(ais)} positions of {ais['mmsi'].nunique()} vessels; screening")
    result = screen(
        ais,
        watchlist,
        ports=ports,
        config=config,
        registry=registry,
        progress=progress if progress.enabled else False,
    )
    progress(f"{len(result.findings)} findings about {len(result.risk)} vessels; writing")
    if args.output == "table":
        for list_report in watchlist.reports:
            print(list_report.summary(), file=sys.stderr)
        report = ingest_report(ais)
        if report is not None:
            print(report.summary(), file=sys.stderr)
    if args.report:
        try:
            result.to_html(args.report)
        except OSError as exc:
            raise ConfigError(f"--report {args.report}: cannot write: {exc.strerror or exc}") from exc
        progress(f"HTML report written to {Path(args.report).resolve()}")
    _write(_render(result, args.output, args.group_by), args.output_file, sys.stdout)
    if args.fail_on is not None:
        threshold = _SEVERITIES.index(args.fail_on)
        hits = [f for f in result.findings if _SEVERITIES.index(f.severity.value) >= threshold]
        if hits:
            print(
                f"vesselscreen: {len(hits)} findings at or above {args.fail_on} severity (exit status 1)",
                file=sys.stderr,
            )
            return EXIT_FOUND
    return EXIT_OK


def _stdout_gone() -> int:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush is silent."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by an object without a file descriptor (tests)
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vesselscreen`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from vesselscreen.demo import run

            run(report=args.report)
            return EXIT_OK
        if args.command == "lists":
            from vesselscreen.lists._cli import run_lists

            return run_lists(args)
        return _screen(args)
    except VesselScreenError as exc:
        print(f"vesselscreen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return _stdout_gone()
    except KeyboardInterrupt:
        print("vesselscreen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
