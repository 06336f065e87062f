"""The personalized plan's estimate: a pure function, no I/O.

Inputs are plain values (stage lengths and skill ids, the reader's known skill
ids and weekly hours, the guide's hours a week and plan bounds), so the
arithmetic can be tested exhaustively without a database.

The model is the guide's own (`roadmaps.timing`), applied to one reader:

1. **Pace.** A stage written as N months at the guide's hours per week takes
   N × guide hours / reader hours at the reader's pace (`timing.scale`: twice
   the hours, half the time).
2. **Skills already known.** A stage whose skills the reader all knows is
   skipped. If they know some of them, the stage is shortened in proportion:
   each known skill removes its share of the stage, discounted by
   ``PARTIAL_CREDIT`` (knowing a tool is not the same as having built with it).
3. **Total.** Learning months are rounded up to whole months. The job search is
   the path's last stage, so nothing is added on top: the total is the learning
   time, raised to the guide's minimum if it is shorter. It is never cut to the
   maximum (a total shorter than its learning time would be false); a plan
   beyond the maximum says so instead. A reader who knows nothing gets exactly
   `timing.months_at` of the guide's months.

Invariants (tested with hypothesis): more hours never make the plan longer;
knowing more skills never makes it longer; the total is never below the
minimum nor below the learning time.
"""

import math
from dataclasses import dataclass

from roadmaps import timing

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
    training_months: int  # the learning time at the reader's pace, the job search included
    total: int  # the learning time, or the guide's minimum if that is longer
    capped_low: bool  # the minimum applied
    beyond_max: bool  # longer than the guide's maximum: the plan suggests more hours


def stage_plan(stage, known_skills, pace_of):
    known = stage.skills & known_skills
    if stage.skills and known == stage.skills:
        return StagePlan(stage.key, 0.0, known, True)
    share_known = len(known) / len(stage.skills) if stage.skills else 0.0
    months = pace_of(stage.months) * (1 - PARTIAL_CREDIT * share_known)
    return StagePlan(stage.key, months, known, False)


def estimate(stages, known_skills, hours_per_week, baseline_hours, bounds):
    """Plan the stages and the total months.

    ``bounds`` is the guide's (min, max) months. ``hours_per_week`` (the
    reader's) and ``baseline_hours`` (the guide's) must be positive.
    """
    if hours_per_week <= 0 or baseline_hours <= 0:
        raise ValueError("hours must be positive")
    low_bound, high_bound = bounds
    if low_bound > high_bound:
        raise ValueError("bounds must be ordered")
    known_skills = frozenset(known_skills)

    def pace_of(months):
        return timing.scale(months, baseline_hours, hours_per_week)

    planned = tuple(stage_plan(s, known_skills, pace_of) for s in stages)
    # A tiny epsilon keeps float noise (11.0000001) from adding a whole month.
    training = math.ceil(sum(p.months for p in planned) - 1e-9)
    return Estimate(
        stages=planned,
        training_months=training,
        total=max(training, low_bound),
        capped_low=training < low_bound,
        beyond_max=training > high_bound,
    )
