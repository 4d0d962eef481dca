"""vesselscreen: screen ships against sanctions lists using AIS data.

>>> import vesselscreen as vs
>>> wl = vs.load_watchlist(vs.demo.watchlist_path())
>>> len(wl)
5

The public API is re-exported here; submodules (``vs.identifiers``, ``vs.schema``,
``vs.events``, ``vs.geo``) hold the building blocks.
"""

from vesselscreen import demo, events, geo, identifiers, schema
from vesselscreen._version import __version__
from vesselscreen.ais import (
    CleaningConfig,
    CleaningReport,
    IdentityTimeline,
    clean_ais,
    identity_timeline,
    read_ais,
    validate_positions,
)
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
from vesselscreen.events import (
    EncounterConfig,
    GapConfig,
    LoiteringConfig,
    SpoofingConfig,
    StopConfig,
    StopSpeeds,
    VoyageConfig,
)
from vesselscreen.geo import load_ports
from vesselscreen.ingest import IngestReport, Rejection, ingest_report
from vesselscreen.limits import MotionLimits
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
from vesselscreen.report import findings_table
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
    screen_vessel,
)

__all__ = [
    "DEFAULT_RULES",
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
    "screen_vessel",
    "validate_positions",
]
