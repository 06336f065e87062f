"""The personalized plan's estimate: a pure function, no I/O.

Inputs are plain values (stage lengths and skill ids, the reader's known skill
ids and weekly hours, the guide's baseline hours, job-search range and bounds),
so the arithmetic can be tested exhaustively without a database.

The model, stated plainly:

1. **Pace.** A stage written as N months at the guide's baseline hours per week
   takes N × baseline / hours at the reader's pace (twice the hours, half the
   time).
2. **Skills already known.** A stage whose skills the reader all knows is
   skipped. If they know some of them, the stage is shortened in proportion:
   each known skill removes its share of the stage, discounted by
   ``PARTIAL_CREDIT`` (knowing a tool is not the same as having built with it).
3. **Total.** Training months are rounded up to whole months; the guide's
   job-search range is added to give a range. Both ends are clamped to the
   guide's plan bounds, and the result says when a bound applied.

Invariants (tested with hypothesis): more hours never make the plan longer;
knowing more skills never makes it longer; the total stays within the bounds.
"""

import math
from dataclasses import dataclass

PARTIAL_CREDIT = 0.8


@dataclass(frozen=True)
class StageSpec:
    key: object
    months: int  # the stage's length at the baseline pace
    skills: frozenset  # skill ids the stage teaches


@dataclass(frozen=True)
class StagePlan:
    key: object
    months: float  # at the reader's pace, after skills already known
    known: frozenset  # the stage's skills the reader already has
    skipped: bool

    @property
    def shortened(self):
        return bool(self.known) and not self.skipped


@dataclass(frozen=True)
class Estimate:
    stages: tuple
    training_months: int
    total_min: int
    total_max: int
    capped_low: bool
    capped_high: bool


def stage_plan(stage, known_skills, pace):
    known = stage.skills & known_skills
    if stage.skills and known == stage.skills:
        return StagePlan(stage.key, 0.0, known, True)
    share_known = len(known) / len(stage.skills) if stage.skills else 0.0
    months = stage.months * pace * (1 - PARTIAL_CREDIT * share_known)
    return StagePlan(stage.key, months, known, False)


def estimate(stages, known_skills, hours_per_week, baseline_hours, job_search, bounds):
    """Plan the stages and the total range of months.

    ``job_search`` and ``bounds`` are (min, max) month pairs. ``hours_per_week``
    and ``baseline_hours`` must be positive.
    """
    if hours_per_week <= 0 or baseline_hours <= 0:
        raise ValueError("hours must be positive")
    low_bound, high_bound = bounds
    if low_bound > high_bound:
        raise ValueError("bounds must be ordered")
    known_skills = frozenset(known_skills)
    pace = baseline_hours / hours_per_week
    planned = tuple(stage_plan(s, known_skills, pace) for s in stages)
    # A tiny epsilon keeps float noise (11.0000001) from adding a whole month.
    training = math.ceil(sum(p.months for p in planned) - 1e-9)
    raw_min, raw_max = training + job_search[0], training + job_search[1]
    total_min = min(max(raw_min, low_bound), high_bound)
    total_max = min(max(raw_max, low_bound), high_bound)
    return Estimate(
        stages=planned,
        training_months=training,
        total_min=total_min,
        total_max=total_max,
        capped_low=raw_min < low_bound,
        capped_high=raw_max > high_bound,
    )
