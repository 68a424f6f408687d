"""Reading the ``vietnam-provinces`` package into plain rows for the loader to store.

What the package (2026.9) offers, and what is read from where:

- the current two-level structure: ``vietnam_provinces.Province.iter_all()`` (34 provinces
  and centrally-run cities) and ``vietnam_provinces.Ward.iter_all()`` (3,321 communes, wards
  and special zones, each with its ``province_code``);
- the pre-2025 three-level structure: ``vietnam_provinces.legacy.Province``, ``District`` and
  ``Ward`` ``.iter_all()`` (63 / 696 / 10,051; a ward knows its district, a district its
  province);
- the 2025 conversion, commune by commune: the public ``Ward.get_legacy_sources()`` answers
  for one ward at a time and drops whether an old commune was split, so the whole table is
  read from the module behind it, ``vietnam_provinces._ward_conversion_2025.NEW_TO_OLD``
  (new ward code → old ward references with ``is_partly_merged``). It is a private module:
  if a new release moves it, ``package_data`` fails loudly rather than loading no links.

Two kinds of link are derived here rather than read, because the package has no row for them:

- old province → new province, from the communes (an old province is linked to every new
  province one of its communes went into). The package's own province table
  (``Province.get_legacy_sources()``) is built the same way but from the province codes
  written in the commune table, two of which are wrong, which makes it link Tiền Giang to
  Tây Ninh; here the old province is taken from the old catalogue instead, and any
  difference from the package's table is reported as a note;
- an island district that had no communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo)
  → the special zone of the same name, which the commune table cannot mention because the
  old unit was not a commune.

Codes are written as the national lists write them: 2 digits for provinces ("01"),
3 for districts ("001"), 5 for communes ("00004").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import vietnam_provinces
from vietnam_provinces import _ward_conversion_2025 as ward_conversion
from vietnam_provinces import legacy

from parindex.units.models import KIND_LEVELS, KIND_PREFIXES, AdministrativeUnit, fold_name

Era = AdministrativeUnit.Era
Kind = AdministrativeUnit.Kind

# The package's division types (current and legacy enums share member names) → our kinds.
KIND_BY_DIVISION_TYPE = {
    "TINH": Kind.TINH,
    "THANH_PHO_TRUNG_UONG": Kind.THANH_PHO_TW,
    "HUYEN": Kind.HUYEN,
    "QUAN": Kind.QUAN,
    "THI_XA": Kind.THI_XA,
    "THANH_PHO": Kind.THANH_PHO,
    "XA": Kind.XA,
    "PHUONG": Kind.PHUONG,
    "THI_TRAN": Kind.THI_TRAN,
    "DAC_KHU": Kind.DAC_KHU,
}
CODE_WIDTHS = {1: 2, 2: 3, 3: 5}


@dataclass(frozen=True)
class UnitRow:
    era: str
    code: str
    name: str
    kind: str
    level: int
    parent: str | None  # the parent's code, in the same era
    province: str | None  # the level-1 ancestor's code, in the same era


@dataclass(frozen=True)
class LinkRow:
    predecessor: str  # a pre-2025 code
    successor: str  # a current code
    is_partial: bool
    effective_date: dt.date


@dataclass(frozen=True)
class PackageData:
    version: str
    data_version: str
    units: tuple[UnitRow, ...]
    links: tuple[LinkRow, ...]
    notes: tuple[str, ...] = field(default=())

    def current_province(self, code: str) -> UnitRow | None:
        code = normalise_province_code(code)
        return next((u for u in self.units if u.era == Era.CURRENT and u.level == 1 and u.code == code), None)

    def for_province(self, code: str) -> PackageData:
        """Only one current province: it, its communes, the old units they were formed from
        (with those units' districts and provinces) and the links between them."""
        province = self.current_province(code)
        if province is None:
            raise LookupError(code)
        current = [u for u in self.units if u.era == Era.CURRENT and province.code in (u.code, u.province)]
        current_codes = {u.code for u in current}
        links = [link for link in self.links if link.successor in current_codes]
        old = {u.code: u for u in self.units if u.era == Era.PRE2025}
        keep: set[str] = set()
        for link in links:
            code_: str | None = link.predecessor
            while code_ is not None and code_ not in keep:
                keep.add(code_)
                code_ = old[code_].parent
        units = current + [u for u in self.units if u.era == Era.PRE2025 and u.code in keep]
        return replace(self, units=tuple(units), links=tuple(links), notes=())


def normalise_province_code(code: str) -> str:
    """ "44", "044" and "4" for the two-digit national code ("04" for the last)."""
    code = str(code).strip()
    return f"{int(code):02d}" if code.isdigit() else code


def unit_code(number: int, level: int) -> str:
    return f"{int(number):0{CODE_WIDTHS[level]}d}"


def kind_of(division_type: object) -> str:
    name = getattr(division_type, "name", str(division_type))
    try:
        return KIND_BY_DIVISION_TYPE[name]
    except KeyError:
        raise ValueError(f"vietnam-provinces: loại đơn vị hành chính lạ: {division_type!r}") from None


def short_name(name: str, kind: str) -> str:
    prefix = KIND_PREFIXES[kind]
    return name[len(prefix) :].strip() if name.startswith(prefix) else name


def _listing(items: Iterable[str], limit: int = 10) -> str:
    items = list(items)
    more = f" và {len(items) - limit} đơn vị khác" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _row(era: str, number: int, name: str, division_type: object, parent: str | None, province: str | None) -> UnitRow:
    kind = kind_of(division_type)
    level = KIND_LEVELS[kind]
    return UnitRow(era, unit_code(number, level), name, kind, level, parent, province)


@functools.cache
def package_data() -> PackageData:
    """Both eras and the 2025 links, read once per process (the package's data never changes)."""
    effective = dt.date.fromisoformat(ward_conversion.EFFECTIVE_DATE)
    notes: list[str] = []

    # The current era: provinces, then communes.
    cur_provinces = [
        _row(Era.CURRENT, p.code.value, p.name, p.division_type, None, None)
        for p in sorted(vietnam_provinces.Province.iter_all(), key=lambda p: p.code.value)
    ]
    cur_communes = []
    for w in sorted(vietnam_provinces.Ward.iter_all(), key=lambda w: w.code.value):
        province = unit_code(w.province_code.value, 1)
        cur_communes.append(_row(Era.CURRENT, w.code.value, w.name, w.division_type, province, province))

    # The pre-2025 era: provinces, districts, communes.
    old_provinces = [
        _row(Era.PRE2025, p.code.value, p.name, p.division_type, None, None)
        for p in sorted(legacy.Province.iter_all(), key=lambda p: p.code.value)
    ]
    old_districts = []
    for d in sorted(legacy.District.iter_all(), key=lambda d: d.code.value):
        province = unit_code(d.province_code.value, 1)
        old_districts.append(_row(Era.PRE2025, d.code.value, d.name, d.division_type, province, province))
    district_province = {d.code: d.province for d in old_districts}
    old_communes = []
    for w in sorted(legacy.Ward.iter_all(), key=lambda w: w.code.value):
        district = unit_code(w.district_code.value, 2)
        old_communes.append(
            _row(Era.PRE2025, w.code.value, w.name, w.division_type, district, district_province[district])
        )

    # Commune links, as the package's conversion table gives them.
    cur_by_code = {u.code: u for u in cur_communes}
    old_by_code = {u.code: u for u in old_communes}
    links: dict[tuple[str, str], LinkRow] = {}
    unknown_old: dict[str, list[str]] = defaultdict(list)
    unknown_new: list[str] = []
    wrong_province: set[str] = set()
    for new_number, entry in sorted(ward_conversion.NEW_TO_OLD.items()):
        new_code = unit_code(new_number, 3)
        if new_code not in cur_by_code:
            unknown_new.append(new_code)
            continue
        for ref in entry.old_wards:
            old_code = unit_code(ref.code, 3)
            old = old_by_code.get(old_code)
            if old is None:
                unknown_old[old_code].append(new_code)
                continue
            if unit_code(ref.province_code, 1) != old.province:
                wrong_province.add(old_code)
            links[old_code, new_code] = LinkRow(old_code, new_code, bool(ref.is_partly_merged), effective)
    if unknown_old:
        notes.append(
            f"Bảng chuyển đổi của gói nhắc tới {len(unknown_old)} mã xã cũ không có trong danh mục trước "
            f"01/7/2025, đã bỏ qua {sum(map(len, unknown_old.values()))} liên kết: "
            + _listing(f"{old} → {', '.join(cur_by_code[n].name for n in new)}" for old, new in unknown_old.items())
        )
    if unknown_new:
        notes.append(f"Bảng chuyển đổi của gói nhắc tới mã xã mới không có trong danh mục: {_listing(unknown_new)}")
    if wrong_province:
        notes.append(
            "Bảng chuyển đổi của gói ghi tỉnh cũ khác danh mục cũ cho "
            + _listing(f"{c} {old_by_code[c].name}" for c in sorted(wrong_province))
            + "; dùng tỉnh theo danh mục cũ."
        )
    linked_old = {old for old, _ in links}
    orphans = [u for u in old_communes if u.code not in linked_old]
    if orphans:
        notes.append(
            f"{len(orphans)} xã cũ không có đơn vị kế thừa trong bảng chuyển đổi của gói: "
            + _listing(f"{u.code} {u.name}" for u in orphans)
        )

    # Province links, derived from the commune links.
    old_districts_by_code = {u.code: u for u in old_districts}
    province_targets: dict[str, set[str]] = defaultdict(set)
    for old_code, new_code in links:
        province_targets[old_by_code[old_code].province].add(cur_by_code[new_code].province)
    province_links = {
        (old, new): LinkRow(old, new, len(targets) > 1, effective)
        for old, targets in province_targets.items()
        for new in targets
    }
    package_pairs = {
        (unit_code(lp.code.value, 1), unit_code(p.code.value, 1))
        for p in vietnam_provinces.Province.iter_all()
        for lp in p.get_legacy_sources()
    }
    old_provinces_by_code = {u.code: u for u in old_provinces}
    cur_provinces_by_code = {u.code: u for u in cur_provinces}

    def pair_names(pairs: Iterable[tuple[str, str]]) -> str:
        return _listing(f"{old_provinces_by_code[o].name} → {cur_provinces_by_code[n].name}" for o, n in sorted(pairs))

    if extra := package_pairs - province_links.keys():
        notes.append(
            f"Bảng chuyển đổi tỉnh của gói có liên kết không có xã nào làm căn cứ, đã bỏ qua: {pair_names(extra)}"
        )
    if missing := province_links.keys() - package_pairs:
        notes.append(f"Liên kết tỉnh suy ra từ bảng chuyển đổi xã, không có trong bảng của gói: {pair_names(missing)}")
    for old, targets in sorted(province_targets.items()):
        if len(targets) > 1:
            notes.append(f"{old_provinces_by_code[old].name} được chia cho {pair_names((old, n) for n in targets)}")

    # Island districts without communes → the special zone of the same name.
    districts_with_communes = {u.parent for u in old_communes}
    empty_districts = [d for d in old_districts if d.code not in districts_with_communes]
    linked_new = {new for _, new in links}
    island_links = {}
    for zone in cur_communes:
        if zone.kind != Kind.DAC_KHU or zone.code in linked_new:
            continue
        name = fold_name(short_name(zone.name, zone.kind))
        matches = [
            d
            for d in empty_districts
            if fold_name(short_name(d.name, d.kind)) == name and (d.province, zone.province) in province_links
        ]
        if len(matches) == 1:
            island_links[matches[0].code, zone.code] = LinkRow(matches[0].code, zone.code, False, effective)
    if island_links:
        notes.append(
            f"Suy ra {len(island_links)} liên kết huyện đảo không có xã → đặc khu cùng tên: "
            + _listing(f"{old_districts_by_code[o].name} → {cur_by_code[n].name}" for o, n in island_links)
        )
    if without := [u for u in cur_communes if u.code not in linked_new and all(n != u.code for _, n in island_links)]:
        notes.append("Đơn vị cấp xã mới không có đơn vị cũ nào: " + _listing(f"{u.code} {u.name}" for u in without))

    return PackageData(
        version=vietnam_provinces.__version__,
        data_version=vietnam_provinces.__data_version__,
        units=tuple(cur_provinces + cur_communes + old_provinces + old_districts + old_communes),
        links=tuple(sorted(province_links.values(), key=_link_key))
        + tuple(sorted(island_links.values(), key=_link_key))
        + tuple(sorted(links.values(), key=_link_key)),
        notes=tuple(notes),
    )


def _link_key(link: LinkRow) -> tuple[str, str]:
    return link.successor, link.predecessor
