"""The plan's estimate: invariants checked with hypothesis, and worked examples
that pin exact outputs (a constant or clamped function would fail them)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadmaps.plan.estimate import StageSpec, estimate

# The starter guide's shape: four three-month stages, 15 h/week baseline,
# job search 3–9 months, plan bounds 6–27 months.
STAGES = [
    StageSpec(1, 3, frozenset({1, 2, 3, 4, 5})),
    StageSpec(2, 3, frozenset({6, 7, 8, 9})),
    StageSpec(3, 3, frozenset({10, 11, 12})),
    StageSpec(4, 3, frozenset({13, 3, 12})),
]
BASE = {"baseline_hours": 15, "job_search": (3, 9), "bounds": (6, 27)}


def plan(known=(), hours=15, stages=STAGES, **kw):
    return estimate(stages, frozenset(known), hours, **{**BASE, **kw})


def test_student_at_baseline_gets_the_guides_own_timeline():
    result = plan()
    assert result.training_months == 12  # months 1–12 of the learning path
    assert (result.total_min, result.total_max) == (15, 21)  # plus 3–9 months' job search
    assert [s.months for s in result.stages] == [3, 3, 3, 3]
    assert not (result.capped_low or result.capped_high)


def test_double_the_hours_gives_a_strictly_shorter_plan():
    result = plan(hours=30)
    assert result.training_months == 6
    assert (result.total_min, result.total_max) == (9, 15)
    assert result.total_max < plan().total_max


def test_known_skills_shorten_and_skip_stages():
    result = plan(known={10, 11, 12, 1})
    third = result.stages[2]
    assert third.skipped and third.months == 0
    first = result.stages[0]
    assert first.shortened and first.months == pytest.approx(3 * (1 - 0.8 / 5))
    # Stage 4 shares skill 12: a third known, shortened by 0.8 × 1/3.
    assert result.stages[3].months == pytest.approx(3 * (1 - 0.8 / 3))
    assert result.training_months == 8  # 2.52 + 3 + 0 + 2.2 = 7.72 → 8


def test_the_guides_bounds_clamp_and_say_so():
    slow = plan(hours=5)  # 36 months of learning
    assert slow.training_months == 36
    assert (slow.total_min, slow.total_max) == (27, 27)
    assert slow.capped_high
    fast = plan(known=set(range(1, 14)), hours=40)  # everything known
    assert fast.training_months == 0
    assert (fast.total_min, fast.total_max) == (6, 9)
    assert fast.capped_low


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
    assert (result.total_min, result.total_max) == (6, 11)  # 2 + 3 = 5 → floor of 6
    assert plan(stages=[project], hours=30).stages[0].months == pytest.approx(1)


def test_a_fully_known_stage_is_skipped_and_takes_no_time():
    result = plan(known={6, 7, 8, 9})
    second = result.stages[1]
    assert second.skipped and second.months == 0 and not second.shortened
    assert result.training_months == 9
    assert (result.total_min, result.total_max) == (12, 18)


def test_a_total_exactly_on_a_bound_is_not_reported_as_capped():
    on_bounds = plan(bounds=(15, 21))  # 12 months + 3–9 months' search = 15–21 exactly
    assert (on_bounds.total_min, on_bounds.total_max) == (15, 21)
    assert not on_bounds.capped_low and not on_bounds.capped_high
    just_inside = plan(bounds=(14, 22))
    assert not (just_inside.capped_low or just_inside.capped_high)
    over = plan(bounds=(16, 20))
    assert (over.total_min, over.total_max) == (16, 20)
    assert over.capped_low and over.capped_high


def test_one_hour_a_week_and_a_one_hour_baseline_are_valid():
    slowest = plan(hours=1)
    assert slowest.training_months == 180  # 12 months × 15
    assert (slowest.total_min, slowest.total_max) == (27, 27) and slowest.capped_high
    light_guide = plan(baseline_hours=1, hours=2)
    assert light_guide.training_months == 6  # 12 months × 1/2
    assert (light_guide.total_min, light_guide.total_max) == (9, 15)


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
    assert fast.total_min <= slow.total_min and fast.total_max <= slow.total_max


@given(known=skills, extra=skills, h=hours)
def test_knowing_more_skills_never_makes_the_plan_longer(known, extra, h):
    less, more = plan(known, h), plan(known | extra, h)
    assert more.training_months <= less.training_months
    assert more.total_min <= less.total_min and more.total_max <= less.total_max
    for a, b in zip(less.stages, more.stages, strict=True):
        assert b.months <= a.months + 1e-9


@given(
    known=skills,
    h=hours,
    lo=st.integers(1, 30),
    span=st.integers(0, 30),
    job=st.tuples(st.integers(0, 6), st.integers(0, 12)).map(sorted),
)
def test_the_total_stays_within_the_bounds(known, h, lo, span, job):
    result = plan(known, h, bounds=(lo, lo + span), job_search=tuple(job))
    assert lo <= result.total_min <= result.total_max <= lo + span
