"""The one definition of "stated total differs", shared by `opgen validate` (opgen.rules), the
full plan PDF and the Word annex, so whatever a board paper flags is a warning of validate and
every such warning is flagged in the papers."""

from __future__ import annotations

from decimal import Decimal

from opgen.model import Total, Value, total_tolerance


def compare_stated(stated: Value | None, computed: Total) -> Decimal | None:
    """The difference (computed − stated) when a stated total disagrees with the sum of its rows,
    else None. Only a stated number checked against a complete, non-empty sum can differ; a
    difference within half a unit of the last digit the author wrote (500 vs 500.2) is rounding."""
    if stated is None or not stated.is_number or computed.incomplete or computed.parts == 0:
        return None
    diff = computed.value - stated.number
    return diff if abs(diff) > total_tolerance(stated.number) else None


def stated_unchecked(stated: Value | None, computed: Total) -> bool:
    """A stated number whose rows include a TBC, so the sum cannot be checked."""
    return stated is not None and stated.is_number and computed.incomplete
