"""The plan's estimate: invariants checked with hypothesis, and worked examples
that pin exact outputs (a constant or clamped function would fail them)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadmaps import timing
from roadmaps.plan.estimate import StageSpec, estimate

# The starter guide's shape: four three-month stages (the last one the job
# search), 15 h/week baseline, plan bounds 6–27 months.
STAGES = [
    StageSpec(1, 3, frozenset({1, 2, 3, 4, 5})),
    StageSpec(2, 3, frozenset({6, 7, 8, 9})),
    StageSpec(3, 3, frozenset({10, 11, 12})),
    StageSpec(4, 3, frozenset({13, 3, 12})),
]
BASE = {"baseline_hours": 15, "bounds": (6, 27)}


def plan(known=(), hours=15, stages=STAGES, **kw):
    return estimate(stages, frozenset(known), hours, **{**BASE, **kw})


def test_student_at_baseline_gets_the_guides_own_timeline():
    result = plan()
    assert result.training_months == 12  # months 1–12 of the learning path
    assert result.total == 12  # the job search is the last stage: nothing on top
    assert [s.months for s in result.stages] == [3, 3, 3, 3]
    assert not (result.capped_low or result.beyond_max)


def test_double_the_hours_gives_a_strictly_shorter_plan():
    result = plan(hours=30)
    assert result.training_months == 6 == result.total
    assert result.total < plan().total


def test_known_skills_shorten_and_skip_stages():
    result = plan(known={10, 11, 12, 1})
    third = result.stages[2]
    assert third.skipped and third.months == 0
    first = result.stages[0]
    assert first.shortened and first.months == pytest.approx(3 * (1 - 0.8 / 5))
    # Stage 4 shares skill 12: a third known, shortened by 0.8 × 1/3.
    assert result.stages[3].months == pytest.approx(3 * (1 - 0.8 / 3))
    assert result.training_months == 8  # 2.52 + 3 + 0 + 2.2 = 7.72 → 8


def test_the_minimum_raises_the_total_and_the_maximum_only_says_so():
    # The bug this fixes: at 5 h/week a 27-month total beside 36 months of learning.
    slow = plan(hours=5)
    assert slow.training_months == 36 == timing.months_at(12, 15, 5)
    assert slow.total == 36 and slow.beyond_max and not slow.capped_low
    fast = plan(known=set(range(1, 14)), hours=40)  # everything known
    assert fast.training_months == 0
    assert fast.total == 6 and fast.capped_low


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        plan(hours=0)
    with pytest.raises(ValueError):
        plan(bounds=(10, 5))


def test_each_stage_keeps_its_key_and_says_what_the_reader_knows():
    result = plan(known={10, 11, 12, 1})
    assert [s.key for s in result.stages] == [1, 2, 3, 4]
    assert [s.skipped for s in result.stages] == [False, False, True, False]
    assert [s.known for s in result.stages] == [
        frozenset({1}),
        frozenset(),
        frozenset({10, 11, 12}),
        frozenset({12}),
    ]
    assert [s.shortened for s in result.stages] == [True, False, False, True]


def test_a_stage_with_no_skills_is_never_skipped_or_shortened():
    # A "portfolio project" stage teaches no listed skill: it always takes its
    # full length at the reader's pace, whatever they already know.
    project = StageSpec("project", 2, frozenset())
    result = plan(known=set(range(1, 14)), stages=[*STAGES, project])
    assert result.stages[-1].months == pytest.approx(2)
    assert not result.stages[-1].skipped and not result.stages[-1].shortened
    assert result.training_months == 2  # the four known stages are skipped
    assert result.total == 6  # raised to the minimum
    assert plan(stages=[project], hours=30).stages[0].months == pytest.approx(1)


def test_a_fully_known_stage_is_skipped_and_takes_no_time():
    result = plan(known={6, 7, 8, 9})
    second = result.stages[1]
    assert second.skipped and second.months == 0 and not second.shortened
    assert result.training_months == 9 == result.total


def test_a_total_exactly_on_a_bound_is_not_reported_as_capped():
    on_bounds = plan(bounds=(12, 12))  # 12 months of learning exactly
    assert on_bounds.total == 12
    assert not on_bounds.capped_low and not on_bounds.beyond_max
    below = plan(bounds=(13, 20))
    assert below.total == 13 and below.capped_low and not below.beyond_max
    above = plan(bounds=(6, 11))
    assert above.total == 12 and above.beyond_max and not above.capped_low


def test_one_hour_a_week_and_a_one_hour_baseline_are_valid():
    slowest = plan(hours=1)
    assert slowest.training_months == 180  # 12 months × 15
    assert slowest.total == 180 and slowest.beyond_max
    light_guide = plan(baseline_hours=1, hours=2)
    assert light_guide.training_months == 6 == light_guide.total  # 12 months × 1/2


def test_refusals_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"^hours must be positive$"):
        plan(hours=-5)
    with pytest.raises(ValueError, match=r"^hours must be positive$"):
        plan(baseline_hours=0)
    with pytest.raises(ValueError, match=r"^bounds must be ordered$"):
        plan(bounds=(10, 5))


skills = st.frozensets(st.integers(1, 13))
hours = st.integers(5, 40)


@given(known=skills, a=hours, b=hours)
def test_more_hours_never_make_the_plan_longer(known, a, b):
    low, high = sorted((a, b))
    slow, fast = plan(known, low), plan(known, high)
    assert fast.training_months <= slow.training_months
    assert fast.total <= slow.total


@given(known=skills, extra=skills, h=hours)
def test_knowing_more_skills_never_makes_the_plan_longer(known, extra, h):
    less, more = plan(known, h), plan(known | extra, h)
    assert more.training_months <= less.training_months
    assert more.total <= less.total
    for a, b in zip(less.stages, more.stages, strict=True):
        assert b.months <= a.months + 1e-9


@given(known=skills, h=hours, lo=st.integers(1, 30), span=st.integers(0, 30))
def test_the_total_is_never_below_the_minimum_nor_the_learning_time(known, h, lo, span):
    result = plan(known, h, bounds=(lo, lo + span))
    assert result.total >= lo and result.total >= result.training_months
    assert result.total == max(lo, result.training_months)
    assert result.beyond_max == (result.training_months > lo + span)


@given(h=st.integers(1, 80), base=st.integers(1, 80))
def test_a_reader_who_knows_nothing_gets_the_time_models_months(h, base):
    assert plan(hours=h, baseline_hours=base).training_months == timing.months_at(12, base, h)
