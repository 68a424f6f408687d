"""Writing administrative units: load both eras and the 2025 links from ``vietnam-provinces``."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.core.numbers import comma, vn_grouped
from parindex.units import source
from parindex.units.models import AdministrativeUnit, UnitSuccession, fold_name

BATCH_SIZE = 1000
UNIT_FIELDS = ("name", "search_name", "kind", "level", "parent_id", "province_id")
LINK_FIELDS = ("effective_date", "is_partial")
Era = AdministrativeUnit.Era
Kind = AdministrativeUnit.Kind


@dataclass(frozen=True)
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def describe(self) -> str:
        return (
            f"{vn_grouped(self.total)} (mới {vn_grouped(self.created)}, cập nhật {vn_grouped(self.updated)}, "
            f"giữ nguyên {vn_grouped(self.unchanged)})"
        )


@dataclass(frozen=True)
class LoadResult:
    """What a load found in the package and did to the database."""

    package_version: str
    data_version: str
    province: str | None  # the current province's name for a one-province load
    units: dict[tuple[str, str], Tally]  # (era, kind) → tally
    links: Tally
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.links.created or self.links.updated) or any(
            t.created or t.updated for t in self.units.values()
        )

    def era_total(self, era: str) -> Tally:
        tallies = [t for (e, _), t in self.units.items() if e == era]
        return Tally(*(sum(getattr(t, f) for t in tallies) for f in ("created", "updated", "unchanged")))

    def count(self, era: str, *kinds: str) -> int:
        return sum(t.total for (e, k), t in self.units.items() if e == era and (not kinds or k in kinds))

    def lines(self) -> list[str]:
        scope = self.province or "toàn quốc"
        out = [
            f"Đơn vị hành chính từ gói vietnam-provinces {self.package_version} (dữ liệu {self.data_version}), {scope}:"
        ]
        for era in Era:
            out.append(f"{era.label}: {self.era_total(era).describe()}")
            for kind in Kind:
                if (tally := self.units.get((era, kind))) is not None:
                    out.append(f"  {kind.label}: {tally.describe()}")
        out.append(f"Liên kết kế thừa (cũ → mới): {self.links.describe()}")
        if self.changed:
            units = self.era_total(Era.CURRENT), self.era_total(Era.PRE2025)
            out.append(
                f"Đã tạo {vn_grouped(sum(t.created for t in units))}, cập nhật {vn_grouped(sum(t.updated for t in units))} "
                f"đơn vị; tạo {vn_grouped(self.links.created)}, cập nhật {vn_grouped(self.links.updated)} liên kết "
                f"trong {comma(f'{self.seconds:.1f}')} giây."
            )
        else:
            out.append("Không có gì thay đổi: cơ sở dữ liệu đã khớp với gói.")
        out.extend(f"Lưu ý: {note}" for note in self.notes)
        return out

    @property
    def message(self) -> str:
        return "\n".join(self.lines())


@transaction.atomic
def units_load(*, province_code: str | None = None, stdout: IO[str] | None = None) -> LoadResult:
    """Store the package's units of both eras and their succession links, idempotently.

    Rows are matched on (era, code): missing ones are created, those whose name, kind or
    place in the tree differ are updated, nothing is ever deleted (assessments and roles
    point at units). Writes are bulk, level by level so parents exist before their children,
    in one transaction. With ``province_code`` only that current province is loaded: its
    communes, the old units they were formed from (with the old districts and provinces
    above them) and the links between them.
    """
    started = time.monotonic()

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    data = source.package_data()
    province_name = None
    if province_code is not None:
        try:
            data = data.for_province(province_code)
        except LookupError:
            raise ValidationError(f"Không có tỉnh, thành phố mã {province_code} (từ 01/7/2025).") from None
        province_name = next(u.name for u in data.units if u.era == Era.CURRENT and u.level == 1)
    say(
        f"Đã đọc {vn_grouped(len(data.units))} đơn vị và {vn_grouped(len(data.links))} liên kết "
        f"từ gói vietnam-provinces {data.version}."
    )

    existing = {
        (row[1], row[2]): row
        for row in AdministrativeUnit.objects.values_list("id", "era", "code", *UNIT_FIELDS).iterator(chunk_size=5000)
    }
    ids = {key: row[0] for key, row in existing.items()}
    tallies: dict[tuple[str, str], Counter[str]] = {}
    for era, level in ((Era.CURRENT, 1), (Era.CURRENT, 3), (Era.PRE2025, 1), (Era.PRE2025, 2), (Era.PRE2025, 3)):
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        for unit in (u for u in data.units if u.era == era and u.level == level):
            tally = tallies.setdefault((era, unit.kind), Counter())
            values = (
                unit.name,
                fold_name(unit.name),
                unit.kind,
                unit.level,
                ids[era, unit.parent] if unit.parent else None,
                ids[era, unit.province] if unit.province else None,
            )
            row = existing.get((era, unit.code))
            if row is None:
                to_create.append(
                    AdministrativeUnit(era=era, code=unit.code, **dict(zip(UNIT_FIELDS, values, strict=True)))
                )
                tally["created"] += 1
            elif tuple(row[3:]) != values:
                to_update.append(
                    AdministrativeUnit(
                        id=row[0], era=era, code=unit.code, **dict(zip(UNIT_FIELDS, values, strict=True))
                    )
                )
                tally["updated"] += 1
            else:
                tally["unchanged"] += 1
        if to_create:
            AdministrativeUnit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            created = {u.code for u in to_create}
            ids.update(
                ((era, code), pk)
                for code, pk in AdministrativeUnit.objects.filter(era=era, level=level).values_list("code", "id")
                if code in created
            )
        if to_update:
            AdministrativeUnit.objects.bulk_update(to_update, UNIT_FIELDS, batch_size=BATCH_SIZE)
        if to_create or to_update:
            say(
                f"{era.label}, {AdministrativeUnit.Level(level).label}: mới {len(to_create)}, cập nhật {len(to_update)}"
            )

    existing_links = {
        (pred, succ): (pk, date, partial)
        for pk, pred, succ, date, partial in UnitSuccession.objects.values_list(
            "id", "predecessor_id", "successor_id", *LINK_FIELDS
        ).iterator(chunk_size=5000)
    }
    new_links: list[UnitSuccession] = []
    changed_links: list[UnitSuccession] = []
    for link in data.links:
        pred, succ = ids[Era.PRE2025, link.predecessor], ids[Era.CURRENT, link.successor]
        row = existing_links.get((pred, succ))
        if row is None:
            new_links.append(
                UnitSuccession(
                    predecessor_id=pred,
                    successor_id=succ,
                    effective_date=link.effective_date,
                    is_partial=link.is_partial,
                )
            )
        elif row[1:] != (link.effective_date, link.is_partial):
            changed_links.append(
                UnitSuccession(
                    id=row[0],
                    predecessor_id=pred,
                    successor_id=succ,
                    effective_date=link.effective_date,
                    is_partial=link.is_partial,
                )
            )
    UnitSuccession.objects.bulk_create(new_links, batch_size=BATCH_SIZE)
    UnitSuccession.objects.bulk_update(changed_links, LINK_FIELDS, batch_size=BATCH_SIZE)
    if new_links or changed_links:
        say(f"Liên kết kế thừa: mới {len(new_links)}, cập nhật {len(changed_links)}")

    return LoadResult(
        package_version=data.version,
        data_version=data.data_version,
        province=province_name,
        units={key: Tally(c["created"], c["updated"], c["unchanged"]) for key, c in tallies.items()},
        links=Tally(len(new_links), len(changed_links), len(data.links) - len(new_links) - len(changed_links)),
        notes=data.notes,
        seconds=time.monotonic() - started,
    )
