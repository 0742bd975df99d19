"""Document metadata read from the title and first lines: issuing unit, fiscal
year, kind (预算 / 决算 / 自评 / 评价) and region, each with the line it came from.

Vocabulary lives in ``configs/metadata.toml``. A field the words cannot settle
(nothing found, or two different answers on the line that decides) is None:
nothing is guessed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from extractor.config import PROJECT_ROOT
from extractor.errors import ConfigError

METADATA_VOCABULARY = PROJECT_ROOT / "configs" / "metadata.toml"
METADATA_FIELDS = ("unit", "year", "kind", "province", "city")

# A fiscal year: "2019年", "2019年度", "2021 年"; not a date ("2022年09月12日").
_YEAR = re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
# An 18-character unified social credit code; digits 3-8 are the division code.
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}(\d{6})[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_EDGE_PUNCT = " \t\u3000()（）[]【】<>《》\"'“”:：,，、|·-—"
_CODE_PREFIX = re.compile(r"^[\[(（【]\s*\d+\s*[\])）】]")
_PAREN_SUFFIX = re.compile(r"[(（][^()（）]{1,4}[)）]$")
# A city's short name followed by one of these is a district or street name, not the city.
_NOT_CITY_AFTER = "区县镇乡村路街省"


@dataclass(frozen=True)
class MetadataVocabulary:
    """The words of configs/metadata.toml, ready to match."""

    head_lines: int
    kinds: Mapping[str, tuple[str, ...]]
    ambiguous_kind: tuple[str, ...]
    unit_suffixes: tuple[str, ...]
    trailing_generic: tuple[str, ...]
    leading_noise: tuple[str, ...]
    field_labels: tuple[str, ...]
    stop_labels: tuple[str, ...]
    province_names: Mapping[str, str]  # name as written -> province
    province_codes: Mapping[str, str]  # two-digit code -> province
    city_names: Mapping[str, tuple[str, str, bool]]  # name as written -> (city, province, is_short)


@dataclass(frozen=True)
class DocumentMetadata:
    """What the head of a document says about it; ``*_line`` are 1-based source lines."""

    unit: str | None = None
    unit_line: int | None = None
    year: int | None = None
    year_line: int | None = None
    kind: str | None = None
    kind_line: int | None = None
    province: str | None = None
    city: str | None = None
    region_line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=4)
def load_metadata_vocabulary(path: Path = METADATA_VOCABULARY) -> MetadataVocabulary:
    """Parse the vocabulary file; a malformed one raises ConfigError naming it."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        kind = dict(data["kind"])
        ambiguous = tuple(kind.pop("ambiguous", ()))
        unit = data["unit"]
        provinces: dict[str, dict[str, Any]] = data["provinces"]
        cities: dict[str, tuple[str, str, bool]] = {}
        for province, entry in provinces.items():
            for city in entry["cities"]:
                cities[city] = (city, province, False)
                short = re.sub(r"(市|地区|盟)$", "", city)
                if short != city and len(short) >= 2:
                    cities[short] = (city, province, True)
        return MetadataVocabulary(
            head_lines=int(data.get("head_lines", 20)),
            kinds={k: tuple(v) for k, v in kind.items()},
            ambiguous_kind=ambiguous,
            unit_suffixes=tuple(sorted(set(unit["suffixes"]), key=len, reverse=True)),
            trailing_generic=tuple(unit["trailing_generic"]),
            leading_noise=tuple(unit["leading_noise"]),
            field_labels=tuple(unit["field_labels"]),
            stop_labels=tuple(unit["stop_labels"]),
            province_names={n: p for p, e in provinces.items() for n in e["names"]},
            province_codes={str(e["code"]): p for p, e in provinces.items()},
            city_names=cities,
        )
    except FileNotFoundError as exc:
        raise ConfigError("metadata vocabulary not found", path) from exc
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"metadata vocabulary is malformed: {exc}", path) from exc


def read_metadata(lines: Sequence[str], vocabulary: MetadataVocabulary | None = None) -> DocumentMetadata:
    """Unit, fiscal year, kind and region from the first non-empty lines of ``lines``."""
    vocab = vocabulary or load_metadata_vocabulary()
    stripped = ((n, text.strip()) for n, text in enumerate(lines, 1))
    head = list(islice(((n, text) for n, text in stripped if text), vocab.head_lines))  # not the whole document
    title = next(((n, t, ms) for n, t in head if (ms := list(_YEAR.finditer(t)))), None)
    year = year_line = None
    unit: tuple[str, int] | None = None
    if title is not None:
        n, text, matches = title
        years = {int(m.group(1)) for m in matches}
        year, year_line = (years.pop(), n) if len(years) == 1 else (None, None)
        unit = _unit_from_title(text[: matches[0].start()], n, head, vocab)
    unit = unit or _unit_from_fields(head, vocab)
    kind, kind_line = _kind(head, title[0] if title else None, vocab)
    province, city, region_line = _region(head, unit, title, vocab)
    return DocumentMetadata(
        unit=unit[0] if unit else None, unit_line=unit[1] if unit else None, year=year, year_line=year_line,
        kind=kind, kind_line=kind_line, province=province, city=city, region_line=region_line,
    )


def clean_unit(text: str, vocab: MetadataVocabulary) -> str | None:
    """``text`` as a unit name, or None when it does not end like one."""
    name = re.sub(r"\s+", "", text)
    name = _PAREN_SUFFIX.sub("", _CODE_PREFIX.sub("", name)).strip(_EDGE_PUNCT)
    for noise in vocab.leading_noise:
        name = name.removeprefix(noise)
    for generic in vocab.trailing_generic:
        rest = name.removesuffix(generic)
        if rest != name and _unit_suffix(rest, vocab):
            name = rest
    suffix = _unit_suffix(name, vocab)
    if not suffix or len(name) < len(suffix) + 2 or len(name) > 40 or re.search(r"\d", name):
        return None
    return name


def _unit_suffix(name: str, vocab: MetadataVocabulary) -> str | None:
    return next((s for s in vocab.unit_suffixes if name.endswith(s)), None)


def _unit_from_title(
    prefix: str, line: int, head: Sequence[tuple[int, str]], vocab: MetadataVocabulary
) -> tuple[str, int] | None:
    """The unit before the year on the title line, or alone on the line above it."""
    if prefix.strip(_EDGE_PUNCT):
        name = clean_unit(prefix, vocab)
        return (name, line) if name else None
    above = [(n, t) for n, t in head if n < line]
    if above and not _YEAR.search(above[-1][1]):
        name = clean_unit(above[-1][1], vocab)
        return (name, above[-1][0]) if name else None
    return None


def _unit_from_fields(head: Sequence[tuple[int, str]], vocab: MetadataVocabulary) -> tuple[str, int] | None:
    """The value of the most trusted form field naming the unit (主管部门, 预算部门, …)."""
    stops = vocab.field_labels + vocab.stop_labels
    for label in vocab.field_labels:
        for n, text in head:
            at = text.find(label)
            if at < 0:
                continue
            rest = re.sub(r"^(及编码|名称|编码)", "", text[at + len(label):]).lstrip(" \t:：")
            value = re.split(r"\t| {2,}|\|", rest)[0]
            cut = min((i for s in stops if (i := value.find(s)) > 0), default=len(value))
            name = clean_unit(value[:cut], vocab)
            if name:
                return name, n
    return None


def _kinds_in(text: str, vocab: MetadataVocabulary) -> set[str]:
    if any(word in text for word in vocab.ambiguous_kind):
        return set(vocab.kinds)
    return {kind for kind, words in vocab.kinds.items() if any(w in text for w in words)}


def _kind(head: Sequence[tuple[int, str]], title_line: int | None, vocab: MetadataVocabulary) -> tuple[str | None, int | None]:
    """The kind named on the title line, else on the first line naming any kind."""
    ordered = sorted(head, key=lambda item: item[0] != title_line)
    for n, text in ordered:
        kinds = _kinds_in(text, vocab)
        if kinds:
            return (kinds.pop(), n) if len(kinds) == 1 else (None, None)
    return None, None


def _region(
    head: Sequence[tuple[int, str]], unit: tuple[str, int] | None, title: tuple[int, str, Any] | None, vocab: MetadataVocabulary
) -> tuple[str | None, str | None, int | None]:
    """Province and city named in the unit or title, else the province of a credit code."""
    for text, line in ([unit] if unit else []) + ([(title[1], title[0])] if title else []):
        found = _places_in(text, vocab)
        if found is None:
            return None, None, None
        if found != (None, None):
            return found[0], found[1], line
    provinces = {(vocab.province_codes.get(m.group(1)[:2]), n) for n, t in head for m in _CREDIT_CODE.finditer(t)}
    if len({p for p, _ in provinces}) == 1:
        province, line = min(provinces, key=lambda item: item[1])
        return (province, None, line) if province else (None, None, None)
    return None, None, None


def _places_in(text: str, vocab: MetadataVocabulary) -> tuple[str | None, str | None] | None:
    """(province, city) named in ``text``; (None, None) if none; None if they disagree."""
    hits: list[tuple[int, int, str, str | None]] = []  # start, end, province, city
    # A substring test first: one pattern per place name would overflow re's cache.
    for name, province in vocab.province_names.items():
        if name in text:
            hits += [(m.start(), m.end(), province, None) for m in re.finditer(re.escape(name), text)]
    for name, (city, province, short) in vocab.city_names.items():
        if name not in text:
            continue
        for m in re.finditer(re.escape(name), text):
            if not (short and text[m.end(): m.end() + 1] in tuple(_NOT_CITY_AFTER)):
                hits.append((m.start(), m.end(), province, city))
    kept = [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)]
    provinces = {h[2] for h in kept}
    cities = {h[3] for h in kept if h[3]}
    if len(provinces) > 1 or len(cities) > 1:
        return None
    return (provinces.pop() if provinces else None, cities.pop() if cities else None)
