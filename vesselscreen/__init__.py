"""vesselscreen: screen ships against sanctions lists using AIS data.

>>> import vesselscreen as vs
>>> wl = vs.load_watchlist(vs.demo.watchlist_path())
>>> len(wl)
5

The public API is re-exported here (each name is imported on first use, so
``import vesselscreen`` stays cheap); submodules (``vs.identifiers``, ``vs.schema``,
``vs.events``, ``vs.geo``, ``vs.archive``) hold the building blocks.
"""

import importlib as _importlib
import typing as _typing

from vesselscreen._version import __version__
from vesselscreen.errors import (
    ColumnsError,
    ConfigError,
    FormatError,
    IdentifierError,
    InputError,
    ReferenceTimeError,
    SchemaError,
    SourceNotFoundError,
    VesselScreenError,
)

if _typing.TYPE_CHECKING:  # what the lazy names are, for type checkers and IDEs
    from vesselscreen import archive, demo, events, geo, identifiers, schema
    from vesselscreen.ais import (
        CleaningConfig,
        CleaningReport,
        IdentityTimeline,
        clean_ais,
        identity_timeline,
        read_ais,
        validate_positions,
    )
    from vesselscreen.archive import (
        Archive,
    )
    from vesselscreen.events import (
        EncounterConfig,
        GapConfig,
        LoiteringConfig,
        SpoofingConfig,
        StopConfig,
        StopSpeeds,
        VoyageConfig,
    )
    from vesselscreen.geo import (
        load_ports,
    )
    from vesselscreen.ingest import (
        IngestReport,
        Rejection,
        ingest_report,
    )
    from vesselscreen.limits import (
        MotionLimits,
    )
    from vesselscreen.lists import (
        SnapshotStore,
        SourceSnapshot,
        StoreError,
        Watchlist,
        WatchlistSnapshot,
        fetch_watchlist,
        load_watchlist,
    )
    from vesselscreen.models import (
        DesignationStatus,
        Evidence,
        EvidencePosition,
        Finding,
        FindingKind,
        Match,
        MatchMethod,
        PortCall,
        RuleRecord,
        Severity,
        VesselEntry,
    )
    from vesselscreen.report import (
        findings_table,
    )
    from vesselscreen.screening import (
        DEFAULT_RULES,
        BuiltinRule,
        Jurisdiction,
        MatchingConfig,
        PortCallConfig,
        RiskArea,
        Rule,
        Screener,
        ScreeningConfig,
        ScreeningContext,
        ScreeningMetadata,
        ScreeningReport,
        ScreeningResult,
        VesselCheck,
        screen,
        screen_archive,
        screen_vessel,
    )

_SUBMODULES = frozenset({"archive", "demo", "events", "geo", "identifiers", "schema"})
_LAZY: dict[str, str] = {
    "Archive": "vesselscreen.archive",
    "BuiltinRule": "vesselscreen.screening",
    "CleaningConfig": "vesselscreen.ais",
    "CleaningReport": "vesselscreen.ais",
    "DEFAULT_RULES": "vesselscreen.screening",
    "DesignationStatus": "vesselscreen.models",
    "EncounterConfig": "vesselscreen.events",
    "Evidence": "vesselscreen.models",
    "EvidencePosition": "vesselscreen.models",
    "Finding": "vesselscreen.models",
    "FindingKind": "vesselscreen.models",
    "GapConfig": "vesselscreen.events",
    "IdentityTimeline": "vesselscreen.ais",
    "IngestReport": "vesselscreen.ingest",
    "Jurisdiction": "vesselscreen.screening",
    "LoiteringConfig": "vesselscreen.events",
    "Match": "vesselscreen.models",
    "MatchMethod": "vesselscreen.models",
    "MatchingConfig": "vesselscreen.screening",
    "MotionLimits": "vesselscreen.limits",
    "PortCall": "vesselscreen.models",
    "PortCallConfig": "vesselscreen.screening",
    "Rejection": "vesselscreen.ingest",
    "RiskArea": "vesselscreen.screening",
    "Rule": "vesselscreen.screening",
    "RuleRecord": "vesselscreen.models",
    "Screener": "vesselscreen.screening",
    "ScreeningConfig": "vesselscreen.screening",
    "ScreeningContext": "vesselscreen.screening",
    "ScreeningMetadata": "vesselscreen.screening",
    "ScreeningReport": "vesselscreen.screening",
    "ScreeningResult": "vesselscreen.screening",
    "Severity": "vesselscreen.models",
    "SnapshotStore": "vesselscreen.lists",
    "SourceSnapshot": "vesselscreen.lists",
    "SpoofingConfig": "vesselscreen.events",
    "StopConfig": "vesselscreen.events",
    "StopSpeeds": "vesselscreen.events",
    "StoreError": "vesselscreen.lists",
    "VesselCheck": "vesselscreen.screening",
    "VesselEntry": "vesselscreen.models",
    "VoyageConfig": "vesselscreen.events",
    "Watchlist": "vesselscreen.lists",
    "WatchlistSnapshot": "vesselscreen.lists",
    "clean_ais": "vesselscreen.ais",
    "fetch_watchlist": "vesselscreen.lists",
    "findings_table": "vesselscreen.report",
    "identity_timeline": "vesselscreen.ais",
    "ingest_report": "vesselscreen.ingest",
    "load_ports": "vesselscreen.geo",
    "load_watchlist": "vesselscreen.lists",
    "read_ais": "vesselscreen.ais",
    "screen": "vesselscreen.screening",
    "screen_archive": "vesselscreen.screening",
    "screen_vessel": "vesselscreen.screening",
    "validate_positions": "vesselscreen.ais",
}
"""Where each public name lives; imported on first use (PEP 562)."""

__all__ = [
    "DEFAULT_RULES",
    "Archive",
    "BuiltinRule",
    "CleaningConfig",
    "CleaningReport",
    "ColumnsError",
    "ConfigError",
    "DesignationStatus",
    "EncounterConfig",
    "Evidence",
    "EvidencePosition",
    "Finding",
    "FindingKind",
    "FormatError",
    "GapConfig",
    "IdentifierError",
    "IdentityTimeline",
    "IngestReport",
    "InputError",
    "Jurisdiction",
    "LoiteringConfig",
    "Match",
    "MatchMethod",
    "MatchingConfig",
    "MotionLimits",
    "PortCall",
    "PortCallConfig",
    "ReferenceTimeError",
    "Rejection",
    "RiskArea",
    "Rule",
    "RuleRecord",
    "SchemaError",
    "Screener",
    "ScreeningConfig",
    "ScreeningContext",
    "ScreeningMetadata",
    "ScreeningReport",
    "ScreeningResult",
    "Severity",
    "SnapshotStore",
    "SourceNotFoundError",
    "SourceSnapshot",
    "SpoofingConfig",
    "StopConfig",
    "StopSpeeds",
    "StoreError",
    "VesselCheck",
    "VesselEntry",
    "VesselScreenError",
    "VoyageConfig",
    "Watchlist",
    "WatchlistSnapshot",
    "__version__",
    "archive",
    "clean_ais",
    "demo",
    "events",
    "fetch_watchlist",
    "findings_table",
    "geo",
    "identifiers",
    "identity_timeline",
    "ingest_report",
    "load_ports",
    "load_watchlist",
    "read_ais",
    "schema",
    "screen",
    "screen_archive",
    "screen_vessel",
    "validate_positions",
]


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        module = _importlib.import_module(f"vesselscreen.{name}")
        globals()[name] = module
        return module
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vesselscreen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
