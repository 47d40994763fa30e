"""The plan on a page's one-page fit with fewer layout passes: still exactly one page, still the most
actions that fit (one more per programme overflows), for every example and for a 1,000-action plan."""

import sys
from pathlib import Path

import pytest

from opgen.pipeline import plan_from_bytes
from opgen.render.pop import default_pop_limits, fit_plan_on_a_page, plan_on_a_page_html
from opgen.render.weasy import render_document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import big_plan, write_plan  # noqa: E402


def _most(plan) -> int:
    return max((len(d.actions) for d in plan.domains), default=0)


def _assert_fit_is_full(plan, diagnostics, fit):
    assert len(fit.document.pages) == 1
    if fit.limits.actions < _most(plan):
        one_more = fit.limits.with_(actions=fit.limits.actions + 1)
        assert len(render_document(plan_on_a_page_html(plan, diagnostics, one_more)).pages) > 1, \
            "the fit stopped short: one more action per programme still fits on the page"


def test_every_example_fits_one_page_with_the_most_actions(example_result):
    fit = fit_plan_on_a_page(example_result.plan, example_result.report.diagnostics)
    _assert_fit_is_full(example_result.plan, example_result.report.diagnostics, fit)


def test_a_thousand_action_plan_fits_one_page_in_few_layouts(tmp_path):
    path = write_plan(big_plan(1000), tmp_path / "big.yaml")
    result = plan_from_bytes(path.read_bytes(), str(path))
    assert result.ok
    fit = fit_plan_on_a_page(result.plan, result.report.diagnostics)
    _assert_fit_is_full(result.plan, result.report.diagnostics, fit)
    # the rest is summarised, never dropped silently
    assert "more actions" in fit.html
    # each layout of this page takes seconds: the estimate is close, so a few passes settle it
    # (eight before the search started next to the estimate)
    assert fit.renders <= 5


@pytest.mark.parametrize("name", ["south-kent-coast-2014-16.yaml"])
def test_crowded_side_panels_cost_one_layout_not_three(name):
    """South Kent Coast's high risks do not all fit beside its programmes: trying the shortest longer
    list first finds that in one layout (the page, as before, shows the estimated number: three since
    the 7.5 pt type floor, six before it; the rest are summarised as "+ N more")."""
    root = Path(__file__).resolve().parent.parent
    result = plan_from_bytes((root / "plans" / name).read_bytes(), name)
    diagnostics = result.report.diagnostics
    fit = fit_plan_on_a_page(result.plan, diagnostics)
    high = len(result.plan.risks_in_bands("extreme", "high"))
    assert fit.limits.risks == default_pop_limits(result.plan).risks < high
    assert f"+ {high - fit.limits.risks} more extreme or high risks" in fit.html
    assert fit.renders == 2
    # the estimate is not short: one more risk beside the programmes overflows the page
    one_more = fit.limits.with_(risks=fit.limits.risks + 1)
    assert len(render_document(plan_on_a_page_html(result.plan, diagnostics, one_more)).pages) > 1
