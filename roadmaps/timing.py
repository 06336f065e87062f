"""The guide's one model of time: pure functions, no queries.

Everything the site says about how long the path takes comes from here: the
stage labels, the "How long it takes" line, the key facts, FAQ answers and
market notes (through tokens), and the personalized plan.

The model, stated plainly:

1. **Learning time.** The stages run one after another from month 1, at the
   guide's `hours_per_week`. The learning time is the last stage's last month.
2. **The job search is the last stage.** It is never added again on top.
3. **Other paces.** At H hours a week the same path takes
   ceil(learning months × guide hours / H) months: twice the hours, half the
   time, rounded up to whole months.

Editors write durations as tokens, which the page fills from the model, so no
number can drift from the stages:

- ``{months}``: the learning months at the guide's hours (``12``);
- ``{hours}``: the guide's hours a week (``15``);
- ``{months_at:N}``: the learning months at N hours a week (``{months_at:5}``: ``36``);
- ``{last_stage}``: the last stage's months, as in "months 10–12+";
- ``{junior_salaries}``: in FAQ answers only, one junior figure per region,
  composed by the page from the salary rows it shows (`careerguide.pages`).
"""

import math
import re
from dataclasses import dataclass

MIN_HOURS = 1
MAX_HOURS = 80

# A whole token, and anything that looks like one ("{" … "}").
TOKEN = re.compile(r"\{([a-z_]+)(?::([^{}]*))?\}")
BRACES = re.compile(r"\{[^{}]*\}|[{}]")
# Tokens every text may use, and those only some fields may (named by the caller).
TIME_TOKENS = ("months", "hours", "months_at", "last_stage")
SALARY_TOKEN = "junior_salaries"
# The stage texts' own placeholder (`roadmaps.plan.wording`), filled per reader.
LANGUAGE_TOKEN = "language"
TOKEN_HELP = (
    "Write durations as tokens, filled from the stages: {months} (the learning months at "
    "the guide's hours), {hours} (the guide's hours a week), {months_at:N} (the months at "
    "N hours a week), {last_stage} (e.g. 'months 10–12+')."
)


def learning_months(stages):
    """The path's length at the guide's hours: the last stage's last month (0
    with no stages). `stages`: anything with `month_to`."""
    return max((stage.month_to for stage in stages), default=0)


def stage_months(stages):
    """[months] each of `stages` adds to the path, in their order, so that they
    sum to `learning_months`: a stage adds the months from the furthest month
    reached before it to its own last month (its length when the stages run one
    after another; a gap counts towards the stage after it, an overlap once)."""
    stages = list(stages)
    order = sorted(range(len(stages)), key=lambda i: (stages[i].month_from, stages[i].month_to))
    adds, reached = [0] * len(stages), 0
    for i in order:
        adds[i] = max(stages[i].month_to - reached, 0)
        reached = max(reached, stages[i].month_to)
    return adds


def scale(months, base_hours, hours):
    """`months` written at `base_hours` a week, at `hours` a week (unrounded)."""
    if base_hours <= 0 or hours <= 0:
        raise ValueError("hours must be positive")
    return months * base_hours / hours


def months_at(months, base_hours, hours):
    """`months` at `base_hours` a week, at `hours` a week, rounded up to whole
    months. A tiny epsilon keeps float noise (12.0000001) from adding a month."""
    return math.ceil(scale(months, base_hours, hours) - 1e-9)


def months_phrase(months):
    return f"{months} month{'' if months == 1 else 's'}"


@dataclass(frozen=True)
class TimeModel:
    """A guide's time model: its learning months at its hours a week, and the
    last stage's label (the job search)."""

    months: int
    hours: int
    last_stage: str = ""  # e.g. "months 10–12+"

    def at(self, hours):
        """The learning months at `hours` a week."""
        return months_at(self.months, self.hours, hours)

    @property
    def statement(self):
        """The model, said once on the guide page."""
        text = f"About {months_phrase(self.months)} at {self.hours} hours a week"
        if self.last_stage:
            text += "; the job search is the last stage"
        return text + "."

    def values(self):
        """{token name: value} for `fill` (months_at is computed per token)."""
        return {"months": str(self.months), "hours": str(self.hours),
                "last_stage": self.last_stage}  # fmt: skip


def model_for(guide, stages):
    """The time model of `guide` (its `hours_per_week`) and its `stages`."""
    stages = list(stages)
    last = max(stages, key=lambda s: (s.month_to, s.month_from), default=None)
    label = last.months_label.lower() if last is not None else ""
    return TimeModel(months=learning_months(stages), hours=guide.hours_per_week, last_stage=label)


def _hours_argument(argument):
    """N of {months_at:N} as an int, or None when it is not a valid number of hours."""
    if argument is None or not argument.isdigit():
        return None
    hours = int(argument)
    return hours if MIN_HOURS <= hours <= MAX_HOURS else None


def problems(text, *, allow=()):
    """What is wrong with the tokens in `text`, in plain words (none: []).
    `allow`: token names this field accepts besides the time tokens."""
    allowed = {*TIME_TOKENS, *allow}
    found = []
    for match in BRACES.finditer(text or ""):
        token = match.group(0)
        whole = TOKEN.fullmatch(token)
        name, argument = (whole.group(1), whole.group(2)) if whole else (None, None)
        if name == "months_at":
            if _hours_argument(argument) is None:
                found.append(
                    f"{token}: write the token as {{months_at:N}}, with N a whole number of "
                    f"hours a week from {MIN_HOURS} to {MAX_HOURS}, e.g. {{months_at:10}}."
                )
        elif name in allowed and argument is None:
            continue
        elif name == SALARY_TOKEN:
            found.append(f"{token} works only in FAQ answers.")
        elif name == LANGUAGE_TOKEN and LANGUAGE_TOKEN in allow and argument is None:
            continue  # stage texts: `wording` checks where it may go
        else:
            names = ", ".join(f"{{{n}}}" if n != "months_at" else "{months_at:N}"
                              for n in sorted(allowed - {LANGUAGE_TOKEN}))  # fmt: skip
            found.append(
                f"{token} is not a token this text can use. Tokens: {names}. "
                "Braces are only for tokens."
            )
    return list(dict.fromkeys(found))


def fill(text, model, extra=None):
    """`text` with its tokens filled from `model` (a `TimeModel`) and `extra`
    ({name: text}, e.g. the junior salaries). Anything else in braces stays as
    written: the page shows it as text rather than fail."""
    values = {**model.values(), **(extra or {})}

    def token(match):
        name, argument = match.group(1), match.group(2)
        if name == "months_at":
            hours = _hours_argument(argument)
            return str(model.at(hours)) if hours is not None and model.months else match.group(0)
        if argument is None and name in values:
            return values[name]
        return match.group(0)

    return TOKEN.sub(token, text or "")


def literal_durations(text):
    """Durations written as numbers ("6 months", "3–9 months", "8 to 15 months")
    in `text` outside tokens: the content rules forbid them in the texts that
    can use tokens instead."""
    bare = TOKEN.sub(" ", text or "")
    pattern = r"\b\d+(?:\s*(?:–|—|-|to|and)\s*\d+)?\+?\s*(?:months?|mo)\b"
    return re.findall(pattern, bare, flags=re.I)
