"""The reader's plan built from their answers and already-fetched rows (no
database): worked examples with plain stand-ins for the models, checking what
the plan page shows: the stages, the estimate, the next steps, the salaries for
the chosen region, the stories and the first language, and the stages' texts
worded for the first language the reader chose (`roadmaps.plan.wording`)."""

from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError

from roadmaps import models, timing
from roadmaps.plan import wording
from roadmaps.plan.build import (
    MAX_STORIES,
    PlannedStage,
    build_plan,
    match_stories,
    same_stack,
)


class Rel(list):
    """A prefetched many-to-many: `.all()` gives the rows."""

    def all(self):
        return list(self)


@dataclass(frozen=True)
class Skill:
    pk: int
    name: str


@dataclass
class Background:
    pk: int
    name: str
    skills: Rel = field(default_factory=Rel)


@dataclass
class Region:
    pk: int
    slug: str


@dataclass
class Language:
    name: str
    skills: Rel = field(default_factory=Rel)  # the skills only its readers learn


@dataclass
class Stage:
    pk: int
    title: str
    length_months: int
    skills: Rel
    step_lines: list
    description: str = ""
    month_from: int = 1  # where the stage starts on the guide's path

    @property
    def month_to(self):
        return self.month_from + self.length_months - 1

    # The model's own wording of its texts, applied to the stand-in's.
    description_for = models.Stage.description_for
    steps_for = models.Stage.steps_for

    @property
    def steps(self):
        return "\n".join(self.step_lines)


@dataclass
class Guide:
    hours_per_week: int = 15
    plan_min_months: int = 6
    plan_max_months: int = 27


@dataclass
class Country:
    code: str
    region_id: int


@dataclass
class Figure:
    country: Country
    amount: int


@dataclass
class Story:
    name: str
    background_id: int
    skills: Rel = field(default_factory=Rel)
    stack: str = ""
    position: int = 0


@dataclass
class Ctx:
    guide: Guide
    stages: list
    technical_skills: list
    backgrounds: list
    languages: list
    regions: list
    junior_figures: list
    stories: list


GIT, PYTHON, NODE, SQL, HTTP, DOCKER, TESTING = (
    Skill(1, "Git"),
    Skill(2, "Python"),
    Skill(3, "Node.js"),
    Skill(4, "SQL"),
    Skill(5, "HTTP"),
    Skill(6, "Docker"),
    Skill(7, "Testing"),
)
SKILLS = [GIT, PYTHON, NODE, SQL, HTTP, DOCKER, TESTING]
ANALYST = Background(10, "Data analyst", Rel([SQL]))
TEACHER = Background(11, "Teacher")
EUROPE, AMERICAS = Region(20, "europe"), Region(21, "north-america")
DE, PL, US = Country("DE", 20), Country("PL", 20), Country("US", 21)
# The first stage teaches both languages; each reader learns only their own.
FOUNDATIONS = Stage(30, "Foundations", 3, Rel([GIT, PYTHON, NODE]), ["Install Git", "Write a CLI"])
DATA = Stage(31, "Databases and HTTP", 3, Rel([SQL, HTTP]), ["Model a schema"], month_from=4)
SHIP = Stage(32, "Shipping", 3, Rel([DOCKER, TESTING]), ["Ship a container", "Add CI"],
             month_from=7)  # fmt: skip


def ctx(**kw):
    values = {
        "guide": Guide(),
        "stages": [FOUNDATIONS, DATA, SHIP],
        "technical_skills": SKILLS,
        "backgrounds": [TEACHER, ANALYST],
        "languages": [Language("Python"), Language("Node.js")],
        "regions": [EUROPE, AMERICAS],
        "junior_figures": [Figure(DE, 53000), Figure(US, 90000), Figure(PL, 7500)],
        "stories": [],
    }
    return Ctx(**{**values, **kw})


def answers(**kw):
    return {
        "background": "data-analyst",
        "skills": ["git"],
        "hours": 15,
        "region": "europe",
        "language": "python",
        **kw,
    }


def summary(plan):
    return [(p.stage.title, p.skipped, p.months_label, p.known) for p in plan.stages]


def test_a_data_analyst_who_knows_git_gets_shortened_stages():
    plan = build_plan(ctx(), answers())
    assert plan.language == "Python"
    assert plan.background is ANALYST and plan.region is EUROPE
    # Foundations for a Python reader: Git and Python (Node.js drops out); Git is
    # known, so 3 × (1 − 0.8 × 1/2) = 1.8 months. SQL comes with the background.
    assert summary(plan) == [
        ("Foundations", False, "about 2 months", ["Git"]),
        ("Databases and HTTP", False, "about 2 months", ["SQL"]),
        ("Shipping", False, "about 3 months", []),
    ]
    assert [p.months for p in plan.stages] == pytest.approx([1.8, 1.8, 3])
    assert plan.estimate.training_months == 7  # 6.6 → 7
    # The job search is the last stage: nothing is added on top.
    assert plan.estimate.total == 7 and not plan.estimate.capped_low
    assert plan.from_background == ["SQL"]
    assert plan.next_steps == [
        (FOUNDATIONS, "Install Git"),
        (FOUNDATIONS, "Write a CLI"),
        (DATA, "Model a schema"),
    ]
    assert plan.answers == answers()


def test_a_python_reader_who_knows_python_skips_foundations_and_node_is_not_needed():
    plan = build_plan(ctx(), answers(skills=["git", "python"]))
    assert plan.language == "Python"
    first = plan.stages[0]
    assert first.skipped and first.months == 0 and first.known == ["Git", "Python"]
    assert plan.estimate.training_months == 5  # 0 + 1.8 + 3 = 4.8 → 5
    # The skipped stage's steps are not offered as next steps.
    assert plan.next_steps == [
        (DATA, "Model a schema"),
        (SHIP, "Ship a container"),
        (SHIP, "Add CI"),
    ]


def test_a_node_reader_gets_the_node_plan_not_the_python_one():
    # Knowing Python does not help a reader who chose Node.js: their first stage
    # is Git + Node.js, shortened for Git only.
    plan = build_plan(ctx(), answers(language="nodejs", skills=["git", "python"]))
    assert plan.language == "Node.js"
    first = plan.stages[0]
    assert not first.skipped
    assert first.months == pytest.approx(1.8) and first.known == ["Git"]
    assert plan.estimate.training_months == 7
    # And a Node.js reader who knows Node.js skips it.
    node = build_plan(ctx(), answers(language="nodejs", skills=["git", "nodejs"]))
    assert node.stages[0].skipped and node.stages[0].known == ["Git", "Node.js"]


def test_the_background_counts_as_known_but_ticked_skills_are_not_credited_to_it():
    plan = build_plan(ctx(), answers(skills=["git", "sql"]))
    assert plan.from_background == []  # the reader ticked SQL themselves
    assert plan.stages[1].known == ["SQL"]
    teacher = build_plan(ctx(), answers(background="teacher", skills=[]))
    assert teacher.background is TEACHER and teacher.from_background == []
    assert [p.months for p in teacher.stages] == pytest.approx([3, 3, 3])
    assert teacher.estimate.training_months == 9


def test_salaries_are_the_junior_figures_of_the_chosen_region():
    europe = build_plan(ctx(), answers())
    assert [f.country.code for f in europe.salaries] == ["DE", "PL"]
    americas = build_plan(ctx(), answers(region="north-america"))
    assert americas.region is AMERICAS
    assert [f.amount for f in americas.salaries] == [90000]


def test_hours_and_the_guides_bounds_drive_the_estimate():
    fast = build_plan(ctx(), answers(hours=30))
    assert [p.months for p in fast.stages] == pytest.approx([0.9, 0.9, 1.5])
    assert [p.months_label for p in fast.stages] == [
        "about 1 month",
        "about 1 month",
        "about 1.5 months",
    ]
    # 3.3 → 4 months of learning, raised to the guide's minimum of 6.
    assert fast.estimate.training_months == 4
    assert fast.estimate.total == 6 and fast.estimate.capped_low
    tight = build_plan(ctx(guide=Guide(plan_min_months=12, plan_max_months=14)), answers())
    assert tight.estimate.total == 12 and tight.estimate.capped_low
    assert not tight.estimate.beyond_max
    # Slower than the maximum allows: the total is the learning time, never cut.
    slow = build_plan(ctx(guide=Guide(plan_max_months=14)), answers(hours=5))
    assert slow.estimate.training_months == 20  # 5.4 + 5.4 + 9 = 19.8 → 20
    assert slow.estimate.total == 20 and slow.estimate.beyond_max
    slow_guide = build_plan(ctx(guide=Guide(hours_per_week=30)), answers())
    assert slow_guide.estimate.training_months == 14  # twice the guide's hours


def test_a_reader_who_knows_nothing_gets_the_guides_months_at_their_hours():
    # The plan and the page share one model (`roadmaps.timing`): 9 months at 15 h.
    for hours in (5, 7, 15, 22, 40):
        plan = build_plan(ctx(), answers(background="teacher", skills=[], hours=hours))
        assert plan.estimate.training_months == timing.months_at(9, 15, hours)
        assert plan.estimate.total >= plan.estimate.training_months


def test_a_gap_between_stages_counts_as_the_page_counts_it():
    # Months 1–3, then 7–9: the page says 9 months, so the plan counts 9 too.
    gap = Stage(34, "Later", 3, Rel([DOCKER]), ["Ship"], month_from=7)
    plan = build_plan(ctx(stages=[FOUNDATIONS, gap]), answers(background="teacher", skills=[]))
    assert plan.estimate.training_months == 9


def test_only_three_next_steps_are_offered():
    many = Stage(33, "Projects", 2, Rel(), ["One", "Two", "Three", "Four"])
    plan = build_plan(ctx(stages=[many, SHIP]), answers())
    assert [step for _, step in plan.next_steps] == ["One", "Two", "Three"]


def test_skill_names_are_listed_alphabetically():
    plan = build_plan(ctx(), answers(skills=["testing", "docker"]))
    assert plan.stages[2].skipped and plan.stages[2].known == ["Docker", "Testing"]
    mixed = Background(12, "Support engineer", Rel([TESTING, HTTP, GIT]))
    plan = build_plan(ctx(backgrounds=[mixed]), answers(background="support-engineer", skills=[]))
    assert plan.from_background == ["Git", "HTTP", "Testing"]


@pytest.mark.parametrize(
    ("months", "label"),
    [
        (0, "under 2 weeks"),
        (0.24, "under 2 weeks"),
        (0.3, "about 0.5 months"),
        (0.5, "about 0.5 months"),
        (1, "about 1 month"),
        (1.2, "about 1 month"),
        (1.3, "about 1.5 months"),
        (2.6, "about 2.5 months"),
        (3, "about 3 months"),
    ],
)
def test_stage_lengths_are_shown_to_the_half_month(months, label):
    assert PlannedStage(FOUNDATIONS, months, False, []).months_label == label


# Stories: the same background first, then skills in common, then the stack.


def story(name, background=TEACHER, skills=(), stack="", position=0):
    return Story(name, background.pk, Rel(skills), stack, position)


def names(stories):
    return [s.name for s in stories]


def test_stories_are_ranked_background_then_shared_skills_then_stack():
    stories = [
        story("Node teacher", TEACHER, [GIT], "Node.js", 1),
        story("Python teacher", TEACHER, [GIT], "Python", 2),
        story("Analyst, one skill", ANALYST, [SQL], "", 3),
        story("Analyst, two skills", ANALYST, [SQL, GIT], "", 4),
    ]
    ranked = match_stories(stories, ANALYST, {SQL.pk, GIT.pk}, "Python")
    assert names(ranked) == ["Analyst, two skills", "Analyst, one skill", "Python teacher"]
    assert len(ranked) == MAX_STORIES == 3
    # For a teacher who knows nothing yet, the stack decides between the teachers.
    teacher = match_stories(stories, TEACHER, set(), "Node.js")
    assert names(teacher) == ["Node teacher", "Python teacher"]
    assert names(match_stories(stories, TEACHER, set(), "python")) == [
        "Python teacher",
        "Node teacher",
    ]


def test_equal_stories_keep_the_editors_order():
    stories = [story("Second", position=2), story("First", position=1), story("Third", position=3)]
    assert names(match_stories(stories, TEACHER, set())) == ["First", "Second", "Third"]


def test_stories_sharing_only_skills_count_as_close():
    stories = [
        story("Far", TEACHER),
        story("Shares Git", TEACHER, [GIT], position=2),
        story("Shares SQL and Git", TEACHER, [SQL, GIT], position=3),
    ]
    ranked = match_stories(stories, ANALYST, [GIT.pk, SQL.pk])
    assert names(ranked) == ["Shares SQL and Git", "Shares Git"]


def test_with_no_close_story_the_best_other_one_is_shown():
    stories = [
        story("Teacher, Node", TEACHER, [DOCKER], "Node.js", 1),
        story("Teacher, Python", TEACHER, [DOCKER], "Python", 2),
    ]
    assert names(match_stories(stories, ANALYST, {SQL.pk}, "Python")) == ["Teacher, Python"]
    assert names(match_stories(stories, ANALYST, {SQL.pk})) == ["Teacher, Node"]
    assert match_stories([], ANALYST, {SQL.pk}, "Python") == []


def test_the_plan_shows_the_closest_stories():
    stories = [
        story("Teacher", TEACHER, [GIT], "Python", 1),
        story("Analyst on Node", ANALYST, [SQL], "Node.js", 2),
        story("Analyst on Python", ANALYST, [SQL], "Python", 3),
    ]
    plan = build_plan(ctx(stories=stories), answers())
    # Git is ticked and SQL comes with the background: both count as known.
    assert names(plan.stories) == ["Analyst on Python", "Analyst on Node", "Teacher"]
    node = build_plan(ctx(stories=stories), answers(language="nodejs"))
    assert names(node.stories) == ["Analyst on Node", "Analyst on Python", "Teacher"]


def test_a_soft_skill_the_background_brings_is_named_in_its_stage():
    """Bug: a stage teaching a soft skill the reader's background brings listed
    an empty name ("you already know , Git")."""
    teamwork = Skill(8, "Teamwork")
    team_stage = Stage(33, "Working in a team", 2, Rel([GIT, teamwork]), ["Review a PR"])
    lead = Background(12, "Team lead", Rel([teamwork]))
    plan = build_plan(ctx(stages=[team_stage], backgrounds=[lead]), answers(background="team-lead"))
    assert summary(plan) == [("Working in a team", True, "under 2 weeks", ["Git", "Teamwork"])]
    assert plan.from_background == ["Teamwork"]


# -- The plan says only what is still true for its reader (issue 14)

CHOOSING = Stage(
    34,
    "Foundations",
    3,
    Rel([GIT, PYTHON, NODE]),
    [
        "[[Choose Python or Node.js and use it for all your exercises]]",
        "[[Choose Python or Node.js|Use {language}]] for every exercise",
        "Solve the exercises of the official [[tutorial of your language|{language} tutorial]]",
        "Write a CLI",
    ],
    description="[[Choose Python or Node.js.]] Learn variables and loops.",
)


@pytest.mark.parametrize(("language", "name"), [("python", "Python"), ("nodejs", "Node.js")])
def test_a_reader_who_chose_is_never_asked_to_choose_again(language, name):
    plan = build_plan(ctx(stages=[CHOOSING, SHIP]), answers(language=language, skills=[]))
    steps = [step for _, step in plan.next_steps]
    assert steps == [
        f"Use {name} for every exercise",
        f"Solve the exercises of the official {name} tutorial",
        "Write a CLI",
    ]
    assert not any("Choose" in step for stage in plan.stages for step in stage.steps)
    assert plan.stages[0].description == "Learn variables and loops."
    assert plan.stages[0].steps[0] == f"Use {name} for every exercise"


def test_the_guide_page_reader_has_not_chosen_and_is_asked():
    assert CHOOSING.steps_for() == [
        "Choose Python or Node.js and use it for all your exercises",
        "Choose Python or Node.js for every exercise",
        "Solve the exercises of the official tutorial of your language",
        "Write a CLI",
    ]
    assert CHOOSING.description_for() == "Choose Python or Node.js. Learn variables and loops."


def test_texts_without_a_marked_choice_read_the_same_for_everyone():
    text = "Model a schema; [brackets] and {braces} are plain text."
    assert wording.for_reader(text) == wording.for_reader(text, "Python") == text
    assert DATA.steps_for("Python") == DATA.steps_for() == ["Model a schema"]


def test_a_skipped_stages_steps_are_not_next_steps():
    plan = build_plan(ctx(stages=[CHOOSING, SHIP]), answers(skills=["git", "python"]))
    assert plan.stages[0].skipped
    assert [step for _, step in plan.next_steps] == ["Ship a container", "Add CI"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[Choose Python or Node.js.", wording.UNMATCHED.format(where="")),
        ("Choose ]] now", wording.UNMATCHED.format(where="")),
        ("[[a [[b]] c]]", wording.UNMATCHED.format(where="")),
        ("Use {language} for everything", wording.LANGUAGE_OUTSIDE),
        ("[[Use {language}|Use {language}]]", wording.LANGUAGE_OUTSIDE),
        ("[[a|b|c]]", wording.TWO_BARS),
    ],
)
def test_a_marker_editors_got_wrong_is_explained(text, message):
    assert wording.problems(text) == [message]


def test_well_formed_markers_have_no_problems():
    for text in [*CHOOSING.step_lines, CHOOSING.description, "No marker at all."]:
        assert wording.problems(text) == []


def test_the_stage_form_reports_marker_problems_next_to_their_field():
    stage = models.Stage(
        description="Use {language} daily.",
        steps="Fine step\n[[Choose Python or Node.js",
    )
    with pytest.raises(ValidationError) as error:
        stage.clean()
    assert error.value.message_dict == {
        "description": [wording.LANGUAGE_OUTSIDE],
        "steps": [wording.UNMATCHED.format(where=" (step 2: each passage within its line)")],
    }
    models.Stage(description=CHOOSING.description, steps=CHOOSING.steps).clean()


def test_the_stage_fields_tell_editors_how_to_mark_the_choice():
    description = models.Stage._meta.get_field("description").help_text
    assert "[[" in description and "{language}" in description and "|" in description
    assert "left out of plans" in models.Stage._meta.get_field("steps").help_text


def test_a_frameworks_skill_counts_only_for_readers_of_its_language():
    """A Node.js reader is not asked to learn the Python framework, and the
    other way round (found in review: only a skill named like the other
    language dropped out)."""
    django, express = Skill(8, "Python web framework"), Skill(9, "Node.js web framework")
    web = Stage(33, "Web apps", 3, Rel([SQL, django, express]), ["Build an API"], month_from=4)
    languages = [Language("Python", Rel([django])), Language("Node.js", Rel([express]))]
    context = ctx(stages=[FOUNDATIONS, web], technical_skills=[*SKILLS, django, express],
                  languages=languages)  # fmt: skip
    # Knowing SQL and their own framework, each reader has nothing left in the stage.
    node = build_plan(context, answers(language="nodejs", skills=["nodejs-web-framework"]))
    python = build_plan(context, answers(language="python", skills=["python-web-framework"]))
    for plan in (node, python):
        assert plan.stages[1].skipped, summary(plan)
    # A Python reader who knows only the Node.js framework still has the stage to do.
    crossed = build_plan(context, answers(language="python", skills=["nodejs-web-framework"]))
    assert not crossed.stages[1].skipped


def test_a_story_told_with_a_runtime_matches_its_language_option():
    assert same_stack("Node.js", "TypeScript (Node.js)")
    assert same_stack("python", "Python")
    assert not same_stack("Node.js", "Python") and not same_stack("", "Python")
