"""The personalized roadmap page: form, errors, plan, story matching, indexing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from bench import content as benchcontent
from careerguide import starter
from careerguide.pages import PLAN_PAGE_QUERIES
from roadmaps import timing
from roadmaps.models import Guide
from tests.factories import elements

pytestmark = pytest.mark.django_db
URL = "/careers/backend-developer/plan/"
STUDENT = {"background": "student", "hours": "15", "region": "europe", "language": "python"}
SYSADMIN = {
    "background": "system-administrator",
    "skills": ["command-line-linux", "git-version-control", "docker-containers"],
    "hours": "10",
    "region": "europe",
    "language": "python",
}


@pytest.fixture
def guide(db):
    starter.load()
    return Guide.objects.get(slug="backend-developer")


def page(client, data=None):
    response = client.get(URL, data or {})
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_form_asks_the_five_questions_without_cookies_or_csrf(client, guide):
    response, html = page(client)
    for name in ["background", "skills", "hours", "region", "language"]:
        assert f'name="{name}"' in html
    assert 'method="get"' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    assert 'value="teacher"' in html and 'value="docker-containers"' in html
    assert 'value="python"' in html and 'value="typescript-nodejs"' in html
    assert '<meta name="robots" content="noindex">' not in html  # the form may be indexed


def test_the_guides_call_to_action_links_to_the_form(client, guide):
    html = client.get(guide.get_absolute_url()).content.decode()
    assert f'href="{URL}"' in html


def test_the_plan_is_noindex_with_the_form_as_canonical(client, guide, settings):
    response, html = page(client, STUDENT)
    assert '<meta name="robots" content="noindex">' in html
    assert f'<link rel="canonical" href="{settings.SITE_URL}{URL}">' in html
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def learning_months(guide):
    """The guide's learning months at its own hours (`roadmaps.timing`)."""
    return timing.model_for(guide, guide.stage_set.all())


def test_worked_example_student_at_baseline_gets_the_guides_timeline(client, guide):
    model = learning_months(guide)
    _, html = page(client, STUDENT)
    # A student brings nothing: the guide's own months, the job search included.
    assert f"About {model.months} months</strong>" in html
    assert "the job search included: it is the last stage, not extra time on top" in html
    assert f"The guide's stages take {model.months} months at {model.hours} hours a week" in html
    _, faster = page(client, {**STUDENT, "hours": "30"})
    assert f"About {max(model.at(30), guide.plan_min_months)} months</strong>" in faster


def test_at_the_minimum_hours_no_total_is_shorter_than_its_learning_time(client, guide):
    """The bug: at 5 h/week a 27-month total beside "about 36 months of learning"."""
    model = learning_months(guide)
    _, html = page(client, {**STUDENT, "hours": "5"})
    total = int(re.search(r"<strong>About (\d+) months?</strong>", html).group(1))
    assert total == max(model.at(5), guide.plan_min_months)
    stated = [int(n) for n in re.findall(r"about (\d+) months? of learning", html)]
    assert all(total >= n for n in stated)
    if model.at(5) > guide.plan_max_months:
        assert f"runs past {guide.plan_max_months} months" in html


def test_sysadmin_example_shortens_stages_and_meets_ilya(client, guide):
    _, html = page(client, SYSADMIN)
    total = int(re.search(r"<strong>About (\d+) months?</strong>", html).group(1))
    # Shorter than the path at 10 h/week: the background and ticked skills count.
    assert guide.plan_min_months <= total < learning_months(guide).at(10)
    assert "Shortened: you already know" in html
    assert "HTTP and networking basics" in html  # brought by the background
    stories = re.findall(r'<article class="card story">\s*<h3>([^<]+)</h3>', html)
    assert stories[0].startswith("Ilya")


@pytest.mark.parametrize(
    ("background", "first_story"),
    [("teacher", "Olga"), ("financial-analyst", "Dmitry"), ("system-administrator", "Ilya")],
)
def test_stories_match_on_background(client, guide, background, first_story):
    _, html = page(client, {**STUDENT, "background": background})
    stories = re.findall(r'<article class="card story">\s*<h3>([^<]+)</h3>', html)
    assert 1 <= len(stories) <= 3
    assert stories[0].startswith(first_story)
    # The seed never says from when the months count, so the card claims no more.
    assert "Transition time, as they told it:" in html
    assert "first lesson" not in html


def next_steps(response):
    [steps] = elements(response, "ol", **{"class": "next-steps steps"})  # classes sorted
    return [" ".join(str(child) for child in li.children) for li in elements(steps, "li")]


def test_next_three_steps_come_from_the_first_stage_not_covered(client, guide):
    response, _ = page(client, STUDENT)
    steps = next_steps(response)
    assert len(steps) == 3
    assert all("(Programming Fundamentals and First Language)" in step for step in steps)


@pytest.mark.parametrize(
    ("language", "name"), [("python", "Python"), ("typescript-nodejs", "TypeScript (Node.js)")]
)
def test_the_plan_never_asks_for_the_first_language_the_reader_chose(client, guide, language, name):
    response, html = page(client, {**STUDENT, "language": language})
    steps = next_steps(response)
    assert steps[0].startswith(f"Use {name} for every exercise")
    assert steps[1].startswith(f"Solve the exercises of the official {name} tutorial")
    assert "Choose Python or TypeScript" not in html
    assert "[[" not in html and "{language}" not in html
    # The stage's description, as the plan shows it, drops its question too.
    [stages] = elements(response, "section", id="plan-stages")
    first = elements(stages, "li")[0]
    assertContains(
        response,
        "<p>Learn variables, data structures, algorithms, and object-oriented programming. "
        "Understand HTTP, DNS, and client-server architecture. Write your first command-line "
        "programs, with tests.</p>",
        html=True,
    )
    assert "Choose" not in str(first)


def test_the_guide_page_still_offers_the_choice(client, guide):
    response = client.get(guide.get_absolute_url())
    assertContains(
        response,
        "<li>Choose Python or TypeScript on Node.js for every exercise, and push each one to "
        "GitHub</li>",
        html=True,
    )
    assertContains(response, "Choose Python or TypeScript on Node.js. Learn variables")
    assertNotContains(response, "[[")
    assertNotContains(response, "{language}")


def described_ids(response):
    """{aria-describedby id: the element naming it} over the whole page."""
    refs = {}
    for tag in ("input", "select", "textarea", "fieldset"):
        for element in elements(response, tag):
            for ref in dict(element.attributes).get("aria-describedby", "").split():
                refs[ref] = element.name
    return refs


@pytest.mark.parametrize(
    "answers",
    [None, STUDENT, {**STUDENT, "hours": "3", "background": ""}],
    ids=["form", "plan", "errors"],
)
def test_every_aria_describedby_names_an_element_of_the_page(client, guide, answers):
    response, html = page(client, answers)
    refs = described_ids(response)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert refs, "nothing is described: the test would pass vacuously"
    assert {"id_hours_helptext", "id_skills_helptext"} <= set(refs)
    assert not set(refs) - ids, sorted(set(refs) - ids)


def test_a_field_in_error_is_described_by_its_help_and_its_error(client, guide):
    response, _ = page(client, {**STUDENT, "hours": "3"})
    [hours] = elements(response, "input", name="hours")
    attributes = dict(hours.attributes)
    assert attributes["aria-describedby"] == "id_hours_helptext id_hours_error"
    assert attributes["aria-invalid"] == "true"
    assertContains(
        response, '<p class="help" id="id_hours_helptext">Between 5 and 40.</p>', html=True
    )


def test_junior_salaries_for_the_region_with_sources(client, guide):
    _, europe = page(client, STUDENT)
    assert "€53,000" in europe and "StepStone 2026" in europe and "data year" in europe
    assert "£35,000" in europe
    _, us = page(client, {**STUDENT, "region": "united-states"})
    assert "No reliable junior figure yet for United States" in us


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": "abc"}, "Enter a whole number."),
        ({"hours": "3"}, "greater than or equal to 5"),
        ({"hours": "41"}, "less than or equal to 40"),
        ({"background": "astronaut"}, "Select a valid choice"),
        ({"region": "mars"}, "Select a valid choice"),
        ({"language": "cobol"}, "Select a valid choice"),
        ({"background": ""}, "This field is required."),
    ],
)
def test_invalid_answers_show_the_form_again_with_errors(client, guide, change, message):
    _, html = page(client, {**STUDENT, **change})
    assert message in html
    assert "Please correct the answers marked below." in html
    assert "How long it should take you" not in html


def test_unknown_skills_are_ignored_and_the_page_says_so(client, guide):
    _, html = page(client, {**STUDENT, "skills": ["python", "telepathy", "<b>x</b>"]})
    assert "How long it should take you" in html
    assert "We ignored 2 skills this guide does not list" in html
    assert "telepathy" in html and "<b>x</b>" not in html


def test_round_trip_from_the_form_to_the_plan(client, guide):
    _, form = page(client)
    action = re.search(r'<form method="get" action="([^"]+)"', form).group(1)
    assert action == URL

    # Answer as a browser would: the first real option of each select, some boxes.
    def options(name):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form, re.S).group(1)
        return re.findall(r'<option value="([^"]+)"', select)

    data = {
        "background": options("background")[0],
        "region": options("region")[0],
        "hours": "20",
        "language": re.findall(r'name="language" value="([^"]+)"', form)[0],
        "skills": re.findall(r'name="skills" value="([^"]+)"', form)[:2],
    }  # fmt: skip
    response = client.get(action, data)
    html = response.content.decode()
    assert "How long it should take you" in html
    assert "Change your answers" in html
    assert 'value="20"' in html  # the answers stay in the form
    assert f'href="{guide.get_absolute_url()}"' in html  # back to the guide


def test_query_count_is_fixed_at_any_content_size(client, guide):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            page(client, SYSADMIN)
        return len(ctx)

    at_scale_1 = count()
    benchcontent.multiply_rows(guide, 5)
    # plan_page's 11, pinned: the plan words the stages for the reader from rows it
    # already has, fills their tokens from them and shows no resources, so none of
    # that adds a query (nor does the job search: it is the last stage). The 11th
    # is each first language's own skills (its framework).
    assert count() == at_scale_1 == PLAN_PAGE_QUERIES == 11


def test_unknown_guide_is_404(client, db):
    assert client.get("/careers/nope/plan/", STUDENT).status_code == 404
