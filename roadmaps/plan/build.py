"""The plan built from a reader's answers and the guide's content, with no
queries: the page's query function has fetched everything already. Nothing
about the reader is stored or logged: the answers live only in the URL's
query string, and logs record paths only.

The plan says only what is still true for its reader: the stages' texts are
worded for the first language they chose (`Stage.description_for`,
`Stage.steps_for`, `wording`), so a passage that asks them to choose is
rewritten for their choice or left out."""

from dataclasses import dataclass, field

from roadmaps import timing

from .estimate import StageSpec, estimate
from .forms import key

MAX_STORIES = 3


@dataclass
class PlannedStage:
    stage: object
    months: float
    skipped: bool
    known: list  # skill names
    description: str = ""  # worded for the reader's first language
    steps: list = field(default_factory=list)  # likewise

    @property
    def months_label(self):
        half_months = round(self.months * 2) / 2
        if half_months < 0.5:
            return "under 2 weeks"
        text = f"{half_months:g}"
        return f"about {text} month{'s' if half_months != 1 else ''}"


@dataclass
class Plan:
    answers: dict
    stages: list
    estimate: object
    next_steps: list  # [(stage, step)]
    salaries: list
    stories: list
    background: object
    region: object
    language: str
    from_background: list


def build_plan(ctx, answers):
    """Turn valid answers into a plan, from data already fetched (no queries)."""
    skills_by_key = {key(s.name): s for s in ctx.technical_skills}
    background = next(b for b in ctx.backgrounds if key(b.name) == answers["background"])
    region = next(r for r in ctx.regions if r.slug == answers["region"])
    chosen = next(lang for lang in ctx.languages if key(lang.name) == answers["language"])
    language = chosen.name
    ticked = {skills_by_key[k].pk for k in answers["skills"]}
    # What the background usually brings counts as known; the plan says so.
    from_background = {s.pk for s in background.skills.all()} - ticked
    known_ids = ticked | from_background
    # Only the chosen first language has to be learned: the other language
    # options, and the skills only they need (their frameworks), drop out of
    # the stages' skill lists for this reader.
    others = [lang for lang in ctx.languages if lang is not chosen]
    other_names = {lang.name.lower() for lang in others}
    skipped_ids = {s.pk for s in ctx.technical_skills if s.name.lower() in other_names}
    skipped_ids |= {s.pk for lang in others for s in lang.skills.all()}
    skipped_ids -= {s.pk for s in chosen.skills.all()}
    # The guide's time model: each stage's months as the page counts them, so a
    # reader who knows nothing gets exactly the page's months at their hours.
    # The job search is the last stage: nothing is added for it.
    result = estimate(
        [StageSpec(s.pk, months, frozenset(sk.pk for sk in s.skills.all()) - skipped_ids)
         for s, months in zip(ctx.stages, timing.stage_months(ctx.stages), strict=True)],
        known_skills=known_ids,
        hours_per_week=answers["hours"],
        baseline_hours=ctx.guide.hours_per_week,
        bounds=(ctx.guide.plan_min_months, ctx.guide.plan_max_months),
    )  # fmt: skip
    # Stages may teach soft skills too (a background can bring them), so names
    # come from the stages' own skills as well as the guide's technical skills.
    names = {skill.pk: skill.name for s in ctx.stages for skill in s.skills.all()}
    names |= {s.pk: s.name for s in ctx.technical_skills}
    planned = [
        PlannedStage(
            stage,
            p.months,
            p.skipped,
            sorted(names[i] for i in p.known),
            description=stage.description_for(language),
            steps=stage.steps_for(language),
        )
        for stage, p in zip(ctx.stages, result.stages, strict=True)
    ]
    next_steps = [(p.stage, step) for p in planned if not p.skipped for step in p.steps][:3]
    return Plan(
        answers=answers,
        stages=planned,
        estimate=result,
        next_steps=next_steps,
        salaries=[f for f in ctx.junior_figures if f.country.region_id == region.pk],
        stories=match_stories(ctx.stories, background, known_ids, language),
        background=background,
        from_background=sorted(names[i] for i in from_background if i in names),
        region=region,
        language=language,
    )


def match_stories(stories, background, known_ids, language=""):
    """One to three stories closest to the reader: the same background first,
    then the most skills in common with what the reader knows, then the same
    first language. Always at least one story when the guide has any."""
    if not stories:
        return []
    known_ids = set(known_ids)

    def score(story):
        same = 1 if story.background_id == background.pk else 0
        shared = len({s.pk for s in story.skills.all()} & known_ids)
        stack = 1 if language and same_stack(story.stack, language) else 0
        return (same, shared, stack)

    ranked = sorted(stories, key=lambda s: (score(s), -s.position), reverse=True)
    close = [s for s in ranked if score(s)[:2] > (0, 0)][:MAX_STORIES]
    return close or ranked[:1]


def same_stack(stack, language):
    """A story's stack as its teller named it ("Node.js") matches the option
    that names it ("TypeScript (Node.js)"), in either direction."""
    stack, language = stack.strip().lower(), language.strip().lower()
    return bool(stack) and (stack == language or stack in language or language in stack)
