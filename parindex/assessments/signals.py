"""What the apps above assessments listen to, so that nothing here imports upward.

``projection_stale`` is sent, inside the writing transaction, by every service that changes
what an assessment's forecast projection stands on: its answers and state (here), the
appraisal's figures (``appraisals``), the figures tracked all year (``indicators``,
``dossiers``). ``indicators.projections`` listens and stores the new projection in the same
transaction, so the stored figures are never behind the data they come from.

Send it with ``assessment_ids`` (those assessments), or with ``unit_ids`` and ``year`` (the
assessments of those units in that year's cycles, whose tracked figures changed). ``held``
maps an assessment id to ``(assessment, answers)`` when the sender holds that assessment's row
locked in its transaction and has read all its answers' stored inputs (code -> inputs) under
that lock, with its own change applied: the listener may then project from them without
reading anything again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.dispatch import Signal

projection_stale = Signal()

_batch = threading.local()


def projections_stale(
    *,
    sender: object,
    assessment_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
    year: int | None = None,
    held: Mapping[int, tuple[Any, dict[str, Any]]] | None = None,
) -> None:
    """Say that these assessments' projections must be computed again (inside the transaction).

    Within ``projections_batched()`` the assessments are collected and said once at its end."""
    ids, units = sorted(set(assessment_ids)), sorted(set(unit_ids))
    if not ids and not (units and year is not None):
        return
    pending = getattr(_batch, "pending", None)
    if pending is not None:
        pending["ids"].update(ids)
        if units and year is not None:
            pending["units"].setdefault(year, set()).update(units)
        return
    projection_stale.send(sender=sender, assessment_ids=ids, unit_ids=units, year=year, held=held or {})


@contextmanager
def projections_batched(sender: object = None, *, discard: bool = False) -> Iterator[None]:
    """Collect the stale projections of many writes (an import of many answers) and refresh them
    once at the end, still inside the caller's transaction; nothing is said if the block fails.
    ``discard``: nothing is said at all, the caller computing every projection itself afterwards
    (a bulk loader that also writes past the services)."""
    if getattr(_batch, "pending", None) is not None:  # already batching: the outer block says it
        yield
        return
    _batch.pending = pending = {"ids": set(), "units": {}}
    try:
        yield
    finally:
        _batch.pending = None
    if discard:
        return
    projections_stale(sender=sender, assessment_ids=pending["ids"])
    for year, units in pending["units"].items():
        projections_stale(sender=sender, unit_ids=units, year=year)
