from pathlib import Path

import pytest

from opgen.pipeline import plan_from_file

ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = ROOT / "plans"
EXAMPLE_PLANS = sorted(PLANS_DIR.glob("*.yaml"))


@pytest.fixture(params=EXAMPLE_PLANS, ids=lambda p: p.stem)
def example_plan_path(request) -> Path:
    return request.param


@pytest.fixture
def example_result(example_plan_path):
    result = plan_from_file(example_plan_path)
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


@pytest.fixture
def skc_result():
    result = plan_from_file(PLANS_DIR / "south-kent-coast-2014-16.yaml")
    assert result.ok
    return result


# Property tests draw the same examples on every run (CI and a developer's machine alike): a red
# CI then means a real regression, never a new random draw. Run with --hypothesis-seed to explore.
from hypothesis import settings as _hypothesis_settings

_hypothesis_settings.register_profile("opgen", derandomize=True)
_hypothesis_settings.load_profile("opgen")
