"""Entering indicator figures by hand: one commune's months of a year as a grid (``entry``),
and a month's form (``value_save``, htmx or not).

Every write goes through ``services.indicator_value_save`` with the revision the form started
from, so a figure someone (or an import) changed in between is never overwritten silently;
the page offers only the months the service accepts (``entry_months``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from parindex.accounts.permissions import Principal, UnitRef
from parindex.accounts.selectors import principal_for
from parindex.core.numbers import vn_number
from parindex.dashboards.permissions import can_view_commune
from parindex.indicators import monitoring
from parindex.indicators import rows as rows_
from parindex.indicators import selectors as selectors_
from parindex.indicators import services as services_
from parindex.indicators.forms import ValueForm
from parindex.indicators.models import Indicator, IndicatorValue
from parindex.indicators.permissions import can_enter_any
from parindex.indicators.status import TargetStatus, target_status
from parindex.units.models import AdministrativeUnit

ENTRY_TEMPLATE = "indicators/entry.html"
_Era = AdministrativeUnit.Era
_Level = AdministrativeUnit.Level
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class EntryAccess:
    """The commune of an entry page, who asks, whether they may write, and whose targets apply."""

    unit: AdministrativeUnit
    principal: Principal
    can_write: bool
    target_province_id: int | None


def _entry_access(request: HttpRequest, unit_pk: int) -> EntryAccess:
    """The commune, or 404 for anyone who may not see it (an old unit: through the units it went into)."""
    unit = AdministrativeUnit.objects.filter(pk=unit_pk, level=_Level.COMMUNE).first()
    if unit is None:
        raise Http404("Không tìm thấy xã, phường")
    principal = principal_for(request.user)
    refs = selectors_.entry_refs(unit)
    own = UnitRef(unit.pk, unit.parent_id, unit.province_id)
    if not any(can_view_commune(principal, ref) for ref in (own, *refs)):
        raise Http404("Không tìm thấy xã, phường")
    province_id = unit.province_id
    if unit.era != _Era.CURRENT:
        # Targets are the current province's, also for the months of the old units.
        province_id = next((ref.province_id for ref in refs if ref.province_id), unit.province_id)
    return EntryAccess(unit, principal, can_enter_any(principal, refs), province_id)


def entry_years(unit: AdministrativeUnit, today: dt.date) -> list[int]:
    """The years a unit carries figures for, newest first: from July 2025 for the current
    units, until June 2025 for the old ones (``services._entry_problems``)."""
    first, last = rows_.MIN_YEAR, today.year
    if unit.era == _Era.CURRENT:
        first = max(first, rows_.REFORM_MONTH[0])
    else:
        last = min(last, rows_.REFORM_MONTH[0])
    return list(range(last, first - 1, -1))


def entry_months(unit: AdministrativeUnit, year: int, today: dt.date) -> list[int]:
    """The months of ``year`` the service accepts for ``unit``: not yet to come, and of its era."""
    old = unit.era != _Era.CURRENT
    return [
        m for m in range(1, 13) if rows_.check_period(year, m, today) is None and rows_.is_before_reform(year, m) == old
    ]


def _reporting_month(indicator: Indicator, month: int) -> bool:
    """Whether a month carries the indicator's figure: a quarter's under its last month, a
    year's under December (``Indicator``)."""
    if indicator.period == Indicator.Period.QUARTERLY:
        return month % 3 == 0
    if indicator.period == Indicator.Period.YEARLY:
        return month == 12
    return True


def _target_text(indicator: Indicator, target: Decimal) -> str:
    sign = "≥" if indicator.direction == Indicator.Direction.AT_LEAST else "≤"
    unit = "%" if indicator.is_ratio else f" {indicator.unit_label}"
    return f"{sign} {services_.target_text(indicator, target)}{unit}"


@dataclass
class EntryCell:
    """One indicator's month on the grid: its stored figure and how it stands against the target."""

    indicator: Indicator
    month: int
    value: IndicatorValue | None
    target: Decimal
    editable: bool
    url: str

    @property
    def dom_id(self) -> str:
        return f"o-{self.indicator.code}-{self.month}"

    @property
    def status(self) -> TargetStatus:
        if self.value is None:
            return TargetStatus.NO_DATA
        return target_status(
            kind=self.indicator.kind,
            direction=self.indicator.direction,
            target=self.target,
            numerator=self.value.numerator,
            denominator=self.value.denominator,
        )

    @property
    def percent(self) -> Decimal | None:
        """A ratio's figure in percent, two decimals (None without a denominator)."""
        if self.value is None or not self.indicator.is_ratio or self.value.value is None:
            return None
        return (self.value.value * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass
class EntryEdit:
    """The form of one cell: what the fields show (typed text after a refusal), and why it was refused."""

    cell: EntryCell
    numerator: str
    denominator: str
    note: str
    base_revision: int | None
    errors: list[str]
    conflict: bool = False

    @classmethod
    def of_stored(cls, cell: EntryCell) -> EntryEdit:
        value = cell.value
        if value is None:
            return cls(cell, "", "", "", None, [])
        return cls(
            cell,
            vn_number(value.numerator),
            vn_number(value.denominator) if value.denominator is not None else "",
            value.note,
            value.revision,
            [],
        )


def _entry_cell(
    access: EntryAccess, indicator: Indicator, year: int, month: int, value: IndicatorValue | None, target: Decimal
) -> EntryCell:
    editable = access.can_write and indicator.active and (value is not None or _reporting_month(indicator, month))
    url = reverse("indicators:value-save", args=[access.unit.pk, indicator.code, year, month])
    return EntryCell(indicator, month, value, target, editable, url)


def _entry_context(access: EntryAccess, year: int, today: dt.date, editing: EntryEdit | None = None) -> dict[str, Any]:
    unit = access.unit
    months = entry_months(unit, year, today)
    indicators = monitoring.followed()
    targets = monitoring.year_targets(indicators, access.target_province_id, year)
    stored = selectors_.unit_values(unit, year)
    grid = []
    for indicator in indicators:
        by_month = stored.get(indicator.code, {})
        cells = []
        for month in months:
            cell = _entry_cell(access, indicator, year, month, by_month.get(month), targets[indicator.pk])
            if editing is not None and cell.dom_id == editing.cell.dom_id:
                cell = editing.cell
            cells.append(cell)
        grid.append(
            {
                "indicator": indicator,
                "target_text": _target_text(indicator, targets[indicator.pk]),
                "cells": cells,
                "recorded": sum(1 for c in cells if c.value is not None),
            }
        )
    return {
        "unit": unit,
        "year": year,
        "years": entry_years(unit, today),
        "months": months,
        "grid": grid,
        "can_write": access.can_write,
        "editing": editing,
        "today": today,
        "before_reform": unit.era != _Era.CURRENT,
    }


def _entry_year(request: HttpRequest, unit: AdministrativeUnit, today: dt.date) -> int:
    years = entry_years(unit, today)
    raw = request.GET.get("nam", "")
    if not raw:
        return years[0]
    if not raw.isdigit() or int(raw) not in years:
        raise Http404("Không có số liệu năm này cho đơn vị")
    return int(raw)


@login_required
@require_GET
def entry(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Nhập số liệu chỉ số: a commune's active indicators × the months of a year, each cell its
    figure and status against the target; the office, the head and the province admins enter
    a month in place, the others who see the commune read."""
    access = _entry_access(request, unit_pk)
    today = timezone.localdate()
    year = _entry_year(request, access.unit, today)
    return render(request, ENTRY_TEMPLATE, _entry_context(access, year, today))


@login_required
@require_http_methods(["GET", "POST"])
def value_save(request: HttpRequest, unit_pk: int, code: str, year: int, month: int) -> HttpResponse:
    """One month's figure: GET the form (htmx: the cell alone; ``?hien=1`` the cell without the
    form), POST it through ``services.indicator_value_save``. A refusal keeps what was typed; a
    concurrent change shows the service's message and the figure now stored."""
    access = _entry_access(request, unit_pk)
    if not access.can_write:
        raise PermissionDenied("Bạn chỉ được xem số liệu chỉ số của đơn vị này.")
    unit, today = access.unit, timezone.localdate()
    indicator = Indicator.objects.filter(code=code, active=True).first()
    if indicator is None:
        raise Http404("Không có chỉ số này hoặc chỉ số đã ngừng theo dõi")
    if year not in entry_years(unit, today) or month not in entry_months(unit, year, today):
        raise Http404("Tháng này không nhập số liệu cho đơn vị này")
    target = monitoring.year_targets([indicator], access.target_province_id, year)[indicator.pk]

    def cell_now() -> EntryCell:
        value = (
            IndicatorValue.objects.filter(indicator=indicator, unit=unit, year=year, month=month)
            .select_related("indicator", "entered_by")
            .first()
        )
        return _entry_cell(access, indicator, year, month, value, target)

    cell = cell_now()
    entry_url = reverse("indicators:entry", args=[unit.pk]) + f"?nam={year}"
    if request.method == "GET":
        if request.htmx:
            partial = "cell" if request.GET.get("hien") else "cell-form"
            return render(request, f"{ENTRY_TEMPLATE}#{partial}", {"cell": cell, "edit": EntryEdit.of_stored(cell)})
        if request.GET.get("hien"):
            return redirect(f"{entry_url}#{cell.dom_id}")
        return render(request, ENTRY_TEMPLATE, _entry_context(access, year, today, EntryEdit.of_stored(cell)))

    form = ValueForm(request.POST)
    errors: list[str] = []
    conflict = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services_.indicator_value_save(
                indicator=indicator,
                unit=unit,
                year=year,
                month=month,
                numerator=data["numerator"],
                denominator=data["denominator"] if indicator.is_ratio else None,
                note=data["note"],
                base_revision=data["base_revision"],
                actor=request.user,
                principal=access.principal,
            )
        except ValidationError as exc:
            errors = exc.messages
            conflict = any(e.code == "conflict" for e in exc.error_list)
    else:
        errors = form.error_messages()
    if not errors:
        cell = cell_now()
        if not request.htmx:
            messages.success(request, f"Đã lưu số liệu '{indicator.name}' tháng {month}/{year}.")
            return redirect(f"{entry_url}#{cell.dom_id}")
        return render(request, f"{ENTRY_TEMPLATE}#cell", {"cell": cell, "saved": True})
    posted = form.data
    base = int_or_none(posted.get("base_revision"))
    if conflict:
        cell = cell_now()  # the figure someone else saved, and its revision to start again from
        base = cell.value.revision if cell.value is not None else None
    edit = EntryEdit(
        cell,
        posted.get("numerator", ""),
        posted.get("denominator", ""),
        posted.get("note", ""),
        base,
        errors,
        conflict,
    )
    if request.htmx:
        return render(request, f"{ENTRY_TEMPLATE}#cell-form", {"cell": cell, "edit": edit})
    return render(request, ENTRY_TEMPLATE, _entry_context(access, year, today, edit), status=400)


def int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None
