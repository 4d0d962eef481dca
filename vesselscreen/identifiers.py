"""Ship identifiers: IMO numbers, MMSIs and their flag states, call signs, vessel names.

>>> parse_imo("IMO 9187629")
9187629
>>> is_valid_imo(9187628)
False
>>> classify_mmsi(572469210), mmsi_flag(572469210)
(<MMSIKind.SHIP: 'ship'>, 'TV')
>>> normalize_name("M/V PORT OLYA-3") == normalize_name("Port Olya 3")
True
"""

from __future__ import annotations

import csv
import re
import unicodedata
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen.errors import IdentifierError

__all__ = [
    "MMSIKind",
    "classify_mmsi",
    "country_to_iso2",
    "extract_imos",
    "is_valid_company_imo",
    "is_valid_imo",
    "is_valid_mmsi",
    "mid_table",
    "mmsi_flag",
    "mmsi_flags",
    "normalize_call_sign",
    "normalize_name",
    "parse_company_imo",
    "parse_imo",
    "parse_mmsi",
]

# "IMO 9187629", "IMO9187629", "IMO: 9187629", "IMO no. 9187629", or the bare 7 digits
_IMO_TEXT = re.compile(r"^\s*(?:IMO(?:\s*(?:NO|NUMBER|NR)\.?)?\s*[:#]?\s*)?(\d{7})\s*$", re.IGNORECASE)
_IMO_IN_TEXT = re.compile(r"\bIMO\s*[:#]?\s*(\d{7})\b", re.IGNORECASE)


def _ship_check_digit(number: int) -> int:
    digits = f"{number:07d}"
    return sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10


def _company_check_digit(number: int) -> int:
    digits = f"{number:07d}"
    total = sum(int(d) * w for d, w in zip(digits[:6], (8, 6, 4, 2, 9, 7), strict=True))
    return (11 - total % 11) % 10


def is_valid_imo(number: int) -> bool:
    """Whether ``number`` is a 7-digit IMO *ship* number with a correct check digit.

    The check digit is the last digit of the sum of the first six digits weighted 7..2.

    >>> is_valid_imo(9074729), is_valid_imo(9074728), is_valid_imo(123)
    (True, False, False)
    """
    return 1_000_000 <= number <= 9_999_999 and _ship_check_digit(number) == number % 10


def is_valid_company_imo(number: int) -> bool:
    """Whether ``number`` is a 7-digit IMO *company* (registered owner) number.

    Company numbers use weights 8,6,4,2,9,7 and check = (11 - sum mod 11) mod 10.

    >>> is_valid_company_imo(5342883), is_valid_company_imo(5342884)
    (True, False)
    """
    return 1_000_000 <= number <= 9_999_999 and _company_check_digit(number) == number % 10


def _imo_digits(value: object) -> int:
    if isinstance(value, bool):
        raise IdentifierError(f"not an IMO number: {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = _IMO_TEXT.match(str(value))
    if match is None:
        raise IdentifierError(f"not an IMO number: {value!r}")
    return int(match.group(1))


def parse_imo(value: object) -> int:
    """Parse an IMO ship number from any form seen on lists and in AIS, and check it.

    Raises :class:`IdentifierError` when the value is not 7 digits or the check digit is
    wrong.

    >>> parse_imo("IMO9187629"), parse_imo("9187629"), parse_imo(9187629)
    (9187629, 9187629, 9187629)
    >>> parse_imo("IMO 9187628")
    Traceback (most recent call last):
    ...
    vesselscreen.errors.IdentifierError: IMO 9187628 fails the ship check digit (expected 9)
    """
    number = _imo_digits(value)
    if not is_valid_imo(number):
        if 1_000_000 <= number <= 9_999_999:
            raise IdentifierError(
                f"IMO {number} fails the ship check digit (expected {_ship_check_digit(number)})"
            )
        raise IdentifierError(f"not an IMO number: {value!r}")
    return number


def parse_company_imo(value: object) -> int:
    """Parse an IMO company/registered-owner number and check its (company) check digit.

    >>> parse_company_imo("5342883")
    5342883
    """
    number = _imo_digits(value)
    if not is_valid_company_imo(number):
        raise IdentifierError(f"IMO company number {value!r} fails the company check digit")
    return number


def extract_imos(text: str) -> list[str]:
    """Every ``IMO nnnnnnn`` mentioned in free text, as the 7-digit strings (unchecked).

    >>> extract_imos("Vessel Registration Identification IMO 9187629; MMSI 572469210")
    ['9187629']
    """
    return _IMO_IN_TEXT.findall(text)


class MMSIKind(StrEnum):
    """What kind of station an MMSI identifies (ITU-R M.585 numbering)."""

    SHIP = "ship"
    GROUP = "group_ship_station"
    COAST_STATION = "coast_station"
    SAR_AIRCRAFT = "sar_aircraft"
    AID_TO_NAVIGATION = "aid_to_navigation"
    CRAFT_WITH_PARENT_SHIP = "craft_associated_with_parent_ship"
    HANDHELD_VHF = "handheld_vhf"
    SART = "ais_sart"
    MOB = "man_overboard"
    EPIRB = "epirb_ais"
    INVALID = "invalid"


# (prefix, kind, slice of the MID digits); longest prefixes first
_MMSI_PATTERNS: tuple[tuple[str, MMSIKind, slice | None], ...] = (
    ("970", MMSIKind.SART, None),
    ("972", MMSIKind.MOB, None),
    ("974", MMSIKind.EPIRB, None),
    ("111", MMSIKind.SAR_AIRCRAFT, slice(3, 6)),
    ("00", MMSIKind.COAST_STATION, slice(2, 5)),
    ("98", MMSIKind.CRAFT_WITH_PARENT_SHIP, slice(2, 5)),
    ("99", MMSIKind.AID_TO_NAVIGATION, slice(2, 5)),
    ("0", MMSIKind.GROUP, slice(1, 4)),
    ("8", MMSIKind.HANDHELD_VHF, slice(1, 4)),
)


def is_valid_mmsi(value: object) -> bool:
    """Whether ``value`` is a 9-digit MMSI (leading zeros allowed in text form).

    >>> is_valid_mmsi(273345000), is_valid_mmsi("002734500"), is_valid_mmsi(12345)
    (True, True, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, int | np.integer):
        return 0 < int(value) <= 999_999_999 and int(value) >= 1_000_000  # 00MID xxxx is 7+ digits
    text = str(value).strip()
    return len(text) == 9 and text.isascii() and text.isdigit() and int(text) > 0


def parse_mmsi(value: object) -> int:
    """An MMSI as an int, or :class:`IdentifierError`.

    >>> parse_mmsi("273345000")
    273345000
    """
    if not is_valid_mmsi(value):
        raise IdentifierError(f"not a 9-digit MMSI: {value!r}")
    return int(str(value).strip())


def _mmsi_text(mmsi: int) -> str:
    return f"{mmsi:09d}"


def _kind_and_mid(mmsi: int) -> tuple[MMSIKind, int | None]:
    if not 0 < mmsi <= 999_999_999:
        return MMSIKind.INVALID, None
    text = _mmsi_text(mmsi)
    for prefix, kind, mid_slice in _MMSI_PATTERNS:
        if text.startswith(prefix):
            return kind, (int(text[mid_slice]) if mid_slice else None)
    if text[0] in "234567":
        return MMSIKind.SHIP, int(text[:3])
    return MMSIKind.INVALID, None


def classify_mmsi(mmsi: int) -> MMSIKind:
    """The kind of station an MMSI belongs to.

    >>> tuple(classify_mmsi(m).value for m in (2734500, 992351000, 111273100, 970012345, 982731234))
    ('coast_station', 'aid_to_navigation', 'sar_aircraft', 'ais_sart', 'craft_associated_with_parent_ship')
    """
    return _kind_and_mid(mmsi)[0]


@cache
def mid_table() -> dict[int, tuple[str, str]]:
    """The bundled ITU MID table: MID -> (ISO 3166-1 alpha-2, short country name)."""
    with resources.files("vesselscreen.data").joinpath("mid.csv").open(encoding="utf-8") as fh:
        return {int(row["mid"]): (row["iso2"], row["country"]) for row in csv.DictReader(fh)}


def mmsi_flag(mmsi: int) -> str | None:
    """The flag state (ISO2) of the administration that assigned ``mmsi``, from its MID.

    A MID says who assigned the number, not proof of the current flag: MMSIs often
    survive re-flagging.

    >>> mmsi_flag(273345000), mmsi_flag(422012300), mmsi_flag(2734500), mmsi_flag(100000000)
    ('RU', 'IR', 'RU', None)
    """
    _, mid = _kind_and_mid(mmsi)
    if mid is None:
        return None
    entry = mid_table().get(mid)
    return entry[0] if entry else None


def mmsi_flags(mmsis: pd.Series) -> pd.Series:
    """Vectorised :func:`mmsi_flag` for ship-station MMSIs (first three digits), as strings.

    Non-ship MMSIs (coast stations, AtoN, SART...) get their MID from the right digits.

    >>> mmsi_flags(pd.Series([273345000, 422012300, None], dtype="Int64")).tolist()
    ['RU', 'IR', <NA>]
    """
    codes, distinct = pd.factorize(mmsis)  # a missing MMSI: code -1
    unique = np.asarray(distinct, dtype=np.int64)
    # ship stations (2xx-7xx, nearly all of them) by table; the rest one by one
    ship = (unique >= 200_000_000) & (unique <= 799_999_999)
    flags = np.full(len(unique) + 1, None, dtype=object)  # the last one, for code -1: none
    flags[:-1][ship] = _flags_by_mid()[unique[ship] // 1_000_000]
    flags[:-1][~ship] = [mmsi_flag(int(m)) for m in unique[~ship]]
    return pd.Series(flags[codes], index=mmsis.index, name=mmsis.name, dtype="string")


@cache
def _flags_by_mid() -> npt.NDArray[np.object_]:
    """The flag (ISO2) of every three-digit MID, ``None`` where the table has none."""
    flags = np.full(1000, None, dtype=object)
    for mid, (iso2, _) in mid_table().items():
        if 0 <= mid < 1000:
            flags[mid] = iso2
    return flags


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for iso2, country in mid_table().values():
        names.setdefault(_country_key(country), iso2)
        # "Azores (Portugal)" also answers to "Portugal" only via its own row; keep the first
        bare = re.sub(r"\s*\(.*\)", "", country)
        names.setdefault(_country_key(bare), iso2)
    names.update({_country_key(k): v for k, v in _COUNTRY_ALIASES.items()})
    return names


# Spellings used by OFAC, UN, UK and EU lists that differ from the MID table's short names.
_COUNTRY_ALIASES: dict[str, str] = {
    "Democratic People's Republic of Korea": "KP",
    "Korea, North": "KP",
    "DPRK": "KP",
    "Korea, South": "KR",
    "Republic of Korea": "KR",
    "Russian Federation": "RU",
    "Iran (Islamic Republic of)": "IR",
    "Islamic Republic of Iran": "IR",
    "St. Vincent and the Grenadines": "VC",
    "St Vincent and the Grenadines": "VC",
    "St. Kitts and Nevis": "KN",
    "Syrian Arab Republic": "SY",
    "Venezuela (Bolivarian Republic of)": "VE",
    "United Republic of Tanzania": "TZ",
    "Burma": "MM",
    "Viet Nam": "VN",
    "Turkey": "TR",
    "United States of America": "US",
    "UK": "GB",
    "Great Britain": "GB",
    "Republic of Moldova": "MD",
    "Congo, Democratic Republic of the": "CD",
    "Cote d'Ivoire": "CI",
    "Hong Kong SAR": "HK",
    # UN consolidated list spellings
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "State of Palestine": "PS",
    "China, Hong Kong Special Administrative Region": "HK",
    # the UN calls the Republic of the Congo "Congo" (Kinshasa: "Democratic Republic of the Congo")
    "Congo": "CG",
    # Crown dependencies: ISO codes with no MID of their own (OFAC CONS_ENHANCED gives "GG")
    "GG": "GG",
    "Guernsey": "GG",
    "JE": "JE",
    "Jersey": "JE",
    "IM": "IM",
    "Isle of Man": "IM",
}


def _country_key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def country_to_iso2(name: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country name as lists spell it; ``None`` if unknown/unidentified.

    Two-letter input that is a flag-state code (of the MID table) is taken as a code already.

    >>> country_to_iso2("Democratic People's Republic of Korea"), country_to_iso2("Panama")
    ('KP', 'PA')
    >>> country_to_iso2("None Identified") is None, country_to_iso2("UK"), country_to_iso2("ru")
    (True, 'GB', 'RU')
    """
    if name is None:
        return None
    text = name.strip()
    known = _country_names().get(_country_key(text))
    if known is not None:
        return known
    if len(text) == 2 and text.upper() in _iso2_codes():
        return text.upper()
    return None


@cache
def _iso2_codes() -> frozenset[str]:
    return frozenset(iso2 for iso2, _ in mid_table().values())


def normalize_call_sign(value: str | None) -> str | None:
    """Upper-case a call sign and drop spaces and punctuation; empty -> ``None``.

    >>> normalize_call_sign(" 9h-ds9 ")
    '9HDS9'
    """
    if value is None:
        return None
    text = _NOT_ALNUM.sub("", value.upper())
    return text or None


# Prefixes that denote the vessel type rather than the name (M/V, MV, M/T, MT, S/S, SS, TB, ...)
_NAME_PREFIX = re.compile(r"^(?:M ?[VTS]|S ?S|T B|R V) (?=\S)")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_NAMES_KEPT = 1 << 16
"""Names whose keys `normalize_name` remembers: a screening normalises every name broadcast,
and a service screening the same fleets again meets the same names."""


def normalize_name(name: str | None) -> str:
    """A vessel name reduced to a comparable key.

    Upper case, accents removed, a type prefix (``M/V``, ``MT``, ``S/S``...) dropped,
    punctuation turned into spaces, white space collapsed. Digits stay significant.

    >>> normalize_name("M/V PORT OLYA-3"), normalize_name("Port Olya 3"), normalize_name("PORT OLYA 4")
    ('PORT OLYA 3', 'PORT OLYA 3', 'PORT OLYA 4')
    >>> normalize_name("MT Ça Ira"), normalize_name("Musa  Jalil")
    ('CA IRA', 'MUSA JALIL')
    """
    if name is None:
        return ""
    return _name_key(name)


@lru_cache(maxsize=_NAMES_KEPT)
def _name_key(name: str) -> str:
    # NFKD splits accented letters so that dropping non-ASCII keeps the base letter (a no-op on ASCII)
    folded = (
        name if name.isascii() else unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    )
    key = _NOT_ALNUM.sub(" ", folded.upper()).strip(" ")  # a run of anything else: one space
    while (stripped := _NAME_PREFIX.sub("", key)) != key:  # "MV MT X": every prefix goes
        key = stripped
    return key
