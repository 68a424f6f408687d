"""What the documents are written from: plain, frozen data read by ``selectors`` and entered by the user.

Pure Python (no Django): the context builders turn these into the names the templates use,
so every document can be built and tested from facts made in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Heading:
    """What the user enters before rendering: who issues, the number and date, who signs, to whom.

    ``number`` None leaves "Số:      /…" for the văn thư to fill in when the paper is signed.
    ``on_behalf`` is the collective signed for ("ỦY BAN NHÂN DÂN" gives "TM. ỦY BAN NHÂN DÂN");
    ``deputy`` adds "KT." (a vice-chairman signing for the chairman).
    """

    body: str
    number: int | None
    symbol: str
    place: str
    date: dt.date
    subject: str
    signer_name: str
    parent_body: str = ""
    on_behalf: str = ""
    deputy: bool = False
    head_title: str = "CHỦ TỊCH"
    recipients: tuple[str, ...] = ()
    addressees: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldScore:
    """A field (lĩnh vực) of the framework with a unit's score; ``score`` None: not applicable."""

    code: str
    name: str
    max: Decimal
    score: Decimal | None
    applicable_max: Decimal | None = None


@dataclass(frozen=True)
class Standing:
    """One unit's published result (a frozen ``PublishedResult``) and the decision that published it."""

    unit_name: str
    year: int
    total: Decimal
    applicable_max: Decimal
    percent: Decimal
    classification: str
    rank: int
    rank_of: int
    rank_change: int | None
    previous_rank: int | None = None
    previous_of: int | None = None
    previous_year: int | None = None
    places: int = 2
    fields: tuple[FieldScore, ...] = ()
    group: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    decision_issuer: str = ""


@dataclass(frozen=True)
class Framework:
    """The criteria set's legal basis, as the documents cite it."""

    name: str
    decision_number: str = ""
    decision_date: dt.date | None = None
    issuer: str = ""


@dataclass(frozen=True)
class Measure:
    """One remediation action: what, who, by when, and (for reports) how it went."""

    description: str
    owner: str
    office: str
    deadline: str
    status: str = ""
    result: str = ""
    completed_on: dt.date | None = None
    on_time: bool | None = None
    expected_points: Decimal = Decimal(0)


@dataclass(frozen=True)
class LostItem:
    """A sub-criterion that lost points, with its cause and the measures planned for it."""

    code: str
    name: str
    field_code: str
    field_name: str
    max: Decimal
    score: Decimal
    lost: Decimal
    cause: str = ""
    measures: tuple[Measure, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A remediation plan (kế hoạch khắc phục) of year ``year`` for the losses of ``assessed_year``."""

    title: str
    year: int
    assessed_year: int
    document_number: str
    approved_on: dt.date | None
    items: tuple[LostItem, ...]
    total_lost: Decimal
    report_summary: str = ""
    places: int = 2
    # The date the Kế hoạch was issued with (its register's), cited beside ``document_number``.
    document_date: dt.date | None = None


@dataclass(frozen=True)
class IndicatorFigure:
    """An indicator over the report's period: its target and its result so far."""

    name: str
    target: str
    result: str
    status: str


@dataclass(frozen=True)
class SelfAssessment:
    """The open cycle's self-assessment as it stands (scored by the engine)."""

    year: int
    total: Decimal
    applicable_max: Decimal
    percent: Decimal | None
    classification: str | None
    fields: tuple[FieldScore, ...]
    answered: int
    applicable: int
    places: int = 2


@dataclass(frozen=True)
class FreeText:
    """The sections the unit writes itself: key -> text typed in the form (may be empty)."""

    sections: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.sections.get(key, "").strip()
