"""The content rules a hiring manager would sign (issue 16), checked over the
starter content (`careerguide.starter.load()`) and over a small factory guide
built to the rules, and the code that enforces and shows them:

- one model of time (`roadmaps.timing`): every duration shown (stage months,
  key facts, FAQ answers, market notes, the plan) is derived from it, and no
  text writes a duration as a number;
- every skill is taught by a stage, every stage has steps;
- every key fact and market note cites a source or is the editors' estimate
  (the admin refuses neither; "Needs attention" lists old rows), and an FAQ
  answer that states a number does too;
- no public page shows an editor-only research note;
- the plan never shows a total shorter than its learning time;
- stale salary figures are flagged wherever they are shown.
"""

import csv
import io
import itertools
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertInHTML

from careerguide import pages, starter
from roadmaps import timing
from roadmaps.models import (
    FAQ,
    Background,
    Guide,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Reference,
    Skill,
    Stage,
)
from roadmaps.plan.build import build_plan
from roadmaps.plan.forms import PlanForm, key
from roadmaps.workflow import services
from salaries.models import SalaryFigure
from salaries.resources import SalaryFigureResource
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db

MARKER = "RESEARCH-ONLY-7f3a"  # a research note no reader may ever see


def rule_guide():
    """A small guide that keeps every rule: two stages from month 1 (the last
    the job search), every skill taught, facts and notes sourced or estimated,
    durations as tokens."""
    g = factories.guide(slug="rules-guide", name="Rules Developer", hours_per_week=10)
    python = Skill.objects.create(guide=g, name="Python", kind="technical")
    node = Skill.objects.create(guide=g, name="TypeScript", kind="technical", position=1)
    talk = Skill.objects.create(guide=g, name="Communication", kind="soft", position=2)
    first = Stage.objects.create(
        guide=g,
        month_from=1,
        month_to=4,
        title="Basics",
        description="[[Choose Python or TypeScript.]] In {months_at:20} months at 20 hours a week.",
        steps="Write a CLI and push it",
    )
    first.skills.add(python, node)
    last = Stage.objects.create(
        guide=g,
        month_from=5,
        month_to=8,
        title="Job search",
        description="Apply.",
        steps="Send the CV",
        position=1,
        open_ended=True,
    )
    last.skills.add(talk)
    survey = factories.reference(publisher="Survey Org", title="A survey", published="2025")
    KeyFact.objects.create(
        guide=g,
        kind="training",
        label="Training",
        text="About {months} months at {hours} hours a week",
        is_estimate=True,
    )
    KeyFact.objects.create(
        guide=g,
        kind="job_search",
        label="Job search",
        position=1,
        text="Part of the path: {last_stage}",
        is_estimate=True,
    )
    demand = KeyFact.objects.create(
        guide=g,
        kind="demand",
        label="Demand",
        position=2,
        text="Strong long-term demand, tight entry level",
    )
    demand.sources.add(survey)
    eu = factories.region(name="Europe", slug="europe")
    MarketInsight.objects.create(guide=g, region=eu, text="Postings fell.").sources.add(survey)
    FAQ.objects.create(
        guide=g,
        question="How long?",
        answer="About {months} months; at 5 hours a week {months_at:5}.",
    )
    FAQ.objects.create(guide=g, question="Pay?", answer="{junior_salaries}", position=1)
    Background.objects.create(guide=g, name="Student")
    LanguageOption.objects.create(guide=g, name="Python")
    LanguageOption.objects.create(guide=g, name="TypeScript", position=1)
    factories.grades()
    factories.figure(
        g,
        country=factories.country(code="DE", region=eu),
        amount=52000,
        note="Back-end developers with 0–2 years' experience.",
        research_note=f"{MARKER} checked against the survey file",
    )
    factories.story(g, first_name="Olga", year=2023, hours_per_week=10)
    return g


@pytest.fixture(params=["starter", "factory"])
def any_guide(request, db):
    """The starter guide (fails until its content keeps the rules), then a factory one."""
    if request.param == "starter":
        starter.load()
        return Guide.objects.get(slug="backend-developer")
    return rule_guide()


def model_of(guide):
    return timing.model_for(guide, Stage.objects.filter(guide=guide))


def texts_with_tokens(guide):
    """(where, text) of every text the page fills tokens in."""
    for f in KeyFact.objects.filter(guide=guide):
        yield f"key fact {f.label!r}", f.text
    for q in FAQ.objects.filter(guide=guide):
        yield f"FAQ answer to {q.question!r}", q.answer
    for m in MarketInsight.objects.filter(guide=guide):
        yield f"market note {m.text[:40]!r}", m.text
    for s in Stage.objects.filter(guide=guide):
        yield f"stage {s.title!r}", s.description
        yield f"steps of {s.title!r}", s.steps


# -- One model of time


def test_the_stages_run_one_after_another_from_month_one(any_guide):
    stages = sorted(Stage.objects.filter(guide=any_guide), key=lambda s: s.month_from)
    assert stages, "a guide has stages"
    assert stages[0].month_from == 1
    for before, after in itertools.pairwise(stages):
        assert after.month_from == before.month_to + 1, (before, after)
    # So the stages add up to the model's months, and the plan counts the same.
    assert sum(timing.stage_months(stages)) == model_of(any_guide).months == stages[-1].month_to


def test_no_text_writes_a_duration_as_a_number(any_guide):
    """Durations are tokens, filled from the stages, so none can drift from them."""
    found = {where: timing.literal_durations(text) for where, text in texts_with_tokens(any_guide)}
    found = {where: literals for where, literals in found.items() if literals}
    # A duration fact given as months (not text) is a literal range too.
    for fact in KeyFact.objects.filter(guide=any_guide):
        if fact.is_range:
            found[f"key fact {fact.label!r} (months, not text)"] = [fact.value]
    assert found == {}


def test_every_token_in_the_content_is_one_the_page_knows(any_guide):
    allow = {
        "FAQ": [timing.SALARY_TOKEN],
        "stage": [timing.LANGUAGE_TOKEN],
        "steps": [timing.LANGUAGE_TOKEN],
    }
    problems = {}
    for where, text in texts_with_tokens(any_guide):
        kind = where.split()[0]
        if found := timing.problems(text, allow=allow.get(kind, ())):
            problems[where] = found
    assert problems == {}


def test_every_duration_shown_is_the_time_models(any_guide):
    model = model_of(any_guide)
    html = Client().get(any_guide.get_absolute_url()).content.decode()
    # The model, stated once, in "How long it takes".
    assert html.count(escape(model.statement)) == 1
    [duration] = elements(html_response(html), "section", id="duration")
    assert model.statement in text_of(duration)
    # Each stage's label, and each filled text, as the model fills it.
    for stage in Stage.objects.filter(guide=any_guide):
        assert escape(stage.months_label) in html
    page = pages.guide_page(any_guide.slug)
    for fact, raw in zip(page.facts, KeyFact.objects.filter(guide=any_guide), strict=True):
        assert fact.value == timing.fill(raw.value, model)
        assert escape(fact.value) in html
    for faq, raw in zip(page.faqs, FAQ.objects.filter(guide=any_guide), strict=True):
        assert "{" not in faq.answer, faq.question
        first_line = faq.answer.split("\n")[0]
        assert escape(first_line) in html
        if "{months}" in raw.answer:
            assert str(model.months) in faq.answer
        for hours in re.findall(r"\{months_at:(\d+)\}", raw.answer):
            assert str(model.at(int(hours))) in faq.answer
    for _, rows in page.market:
        assert all("{" not in row.text for row in rows)


def test_the_plan_examples_follow_the_same_model(any_guide):
    """A reader who brings nothing gets the page's months at their hours."""
    model = model_of(any_guide)
    ctx = pages.plan_page(any_guide.slug)
    form = PlanForm(ctx=ctx)
    low, high = form.fields["hours"].min_value, form.fields["hours"].max_value
    for background in ctx.backgrounds:
        for language in ctx.languages:
            for hours in (low, any_guide.hours_per_week, high):
                answers = {
                    "background": key(background.name),
                    "skills": [],
                    "hours": hours,
                    "region": ctx.regions[0].slug,
                    "language": key(language.name),
                }
                plan = build_plan(ctx, answers)
                assert plan.estimate.total >= plan.estimate.training_months
                if not background.skills.all():
                    assert plan.estimate.training_months == model.at(hours), (background, hours)


def test_the_plan_at_the_minimum_hours_shows_no_total_shorter_than_its_learning_time(any_guide):
    model = model_of(any_guide)
    ctx = pages.plan_page(any_guide.slug)
    low = PlanForm(ctx=ctx).fields["hours"].min_value
    for background in ctx.backgrounds:
        response = Client().get(
            reverse("plan", kwargs={"slug": any_guide.slug}),
            {
                "background": key(background.name),
                "hours": low,
                "region": ctx.regions[0].slug,
                "language": key(ctx.languages[0].name),
            },
        )
        html = response.content.decode()
        total = int(re.search(r"<strong>About (\d+) months?</strong>", html).group(1))
        stages = [float(n) for n in re.findall(r'stage-months">about ([\d.]+) month', html)]
        assert total >= sum(stages) - 0.5 * len(stages)  # each label rounds to half a month
        learning = [int(n) for n in re.findall(r"about (\d+) months? of learning", html)]
        assert all(total >= n for n in learning)
        if not background.skills.all():
            assert total == max(model.at(low), any_guide.plan_min_months)


# -- Skills and steps


def test_every_skill_is_taught_by_a_stage_and_every_stage_has_steps(any_guide):
    untaught = Skill.objects.filter(guide=any_guide, stages__isnull=True)
    assert list(untaught.values_list("name", flat=True)) == []
    for stage in Stage.objects.filter(guide=any_guide):
        assert stage.step_list, f"stage {stage.title!r} has no step"


# -- Sources and estimates


def test_every_key_fact_and_market_note_has_a_source_or_an_estimate(any_guide):
    for model in (KeyFact, MarketInsight):
        bare = model.objects.filter(guide=any_guide, sources__isnull=True, is_estimate=False)
        assert [str(row) for row in bare] == []


def test_an_faq_answer_that_states_a_number_cites_a_source_or_an_estimate(any_guide):
    unsourced = []
    for faq in FAQ.objects.filter(guide=any_guide).prefetch_related("sources"):
        # Numbers the page fills (durations, the junior figures) carry their own
        # origin, and so does a reader's own pace ("at 5 hours a week").
        bare = timing.TOKEN.sub(" ", faq.answer)
        bare = re.sub(r"\b\d+\s*(?:hours|h)\b", " ", bare)
        if re.search(r"\d|%", bare) and not (faq.sources.all() or faq.is_estimate):
            unsourced.append(faq.question)
    assert unsourced == []


def test_sources_and_estimates_show_as_small_links(client, full_guide):
    FAQ.objects.filter(guide=full_guide).update(is_estimate=True)
    response = client.get(full_guide.get_absolute_url())
    ref = Reference.objects.get(publisher="Survey Publisher")
    link = (
        f'<a href="{ref.url}" rel="nofollow noopener" title="A survey">'
        "Survey Publisher, July 2025</a>"
    )
    [facts] = elements(response, "section", id="duration")
    [market] = elements(response, "section", id="market")
    [faq] = elements(response, "section", id="faq")
    cite = f'<span class="cite">Source: {link}</span>'
    assertInHTML(cite, str(facts))
    assertInHTML(cite, str(market))
    methodology = reverse("site_page", kwargs={"slug": "methodology"})
    estimate = f'<span class="cite"><a href="{methodology}">Editors\' estimate</a></span>'
    assertInHTML(estimate, str(facts))  # the training fact
    assertInHTML(estimate, str(faq))
    # Several sources: "Sources: A; B".
    other = factories.reference(publisher="Second Org", published="2024")
    KeyFact.objects.get(guide=full_guide, kind="english").sources.add(other)
    html = client.get(full_guide.get_absolute_url()).content.decode()
    assert "Sources: <a" in html and "Second Org, 2024</a>" in html


def _guide_form(client, guide, edit):
    from tests.roadmaps.test_draft_admin import post_form

    url = reverse("admin:roadmaps_guide_change", args=[guide.pk])
    return post_form(client, url, edit, button="_save")


def _add_row(prefix, guide, **fields):
    from tests.roadmaps.test_draft_admin import add_inline_row

    def edit(data):
        add_inline_row(data, prefix, guide=str(guide.pk), position="", **fields)

    return edit


NEITHER = "Give a source, or tick Editors&#x27; estimate."


@pytest.mark.parametrize(
    ("prefix", "fields", "group"),
    [
        (
            "keyfact_set",
            {
                "kind": "education",
                "label": "Education",
                "text": "Any",
                "min_months": "",
                "max_months": "",
            },
            "Key facts, row 3",
        ),
        ("marketinsight_set", {"text": "A new note"}, "Market insights, row 2"),
    ],
)
def test_the_guide_form_refuses_a_new_fact_or_note_with_neither(
    publisher_client, full_guide, prefix, fields, group
):
    if prefix == "marketinsight_set":
        fields = {**fields, "region": str(factories.region().pk)}
    response = _guide_form(publisher_client, full_guide, _add_row(prefix, full_guide, **fields))
    assert response.status_code == 200
    assert f"{group}: Sources — {NEITHER}" in response.content.decode()
    model = KeyFact if prefix == "keyfact_set" else MarketInsight
    count = model.objects.count()
    # An estimate is enough; so is a source.
    saved = _guide_form(
        publisher_client, full_guide, _add_row(prefix, full_guide, is_estimate="on", **fields)
    )
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert model.objects.count() == count + 1
    ref = factories.reference()
    other = (
        {**fields, "text": "Another one"}
        if "label" not in fields
        else {**fields, "kind": "demand", "label": "Demand"}
    )
    cited = _guide_form(
        publisher_client, full_guide, _add_row(prefix, full_guide, sources=str(ref.pk), **other)
    )
    assert cited.status_code == 302, cited.context and cited.context["errors"]
    assert model.objects.filter(sources=ref).count() == 1


def test_an_old_untouched_row_with_neither_does_not_stop_other_edits(publisher_client, full_guide):
    # Saved before the rule (or loaded from a file): "Needs attention" lists it.
    KeyFact.objects.create(guide=full_guide, kind="demand", label="Old", text="Old text")

    def headline(data):
        data["headline"] = ["A new headline."]

    assert _guide_form(publisher_client, full_guide, headline).status_code == 302
    assert Guide.objects.get(pk=full_guide.pk).headline == "A new headline."


def test_faq_answers_take_sources_in_their_own_admin_too(publisher_client, full_guide):
    faq = FAQ.objects.get(guide=full_guide)
    html = publisher_client.get(reverse("admin:roadmaps_faq_change", args=[faq.pk]))
    assertContains(html, 'name="sources"')
    assertContains(html, 'name="is_estimate"')


def test_needs_attention_lists_facts_and_notes_with_neither(publisher_client, full_guide):
    KeyFact.objects.create(guide=full_guide, kind="demand", label="Demand Trend", text="Up")
    html = publisher_client.get(reverse("admin:index")).content.decode()
    [panel] = elements(html_response(html), "div", id="needs-attention")
    assert "Facts and market notes with no source" in text_of(panel)
    assert "Key fact: Demand Trend" in text_of(panel)
    assert "English Level" not in text_of(panel)  # cites a source
    assert "Training Duration" not in text_of(panel)  # an estimate


def test_a_draft_of_a_key_fact_with_a_source_previews_and_publishes(
    editor_client, editor, full_guide
):
    from tests.roadmaps.test_draft_admin import add_inline_row, post_form

    ref = factories.reference(publisher="Drafted Source Org", published="March 2026")

    def add_fact(data):
        add_inline_row(
            data,
            "keyfact_set",
            kind="demand",
            label="Demand",
            text="Tight now",
            min_months="",
            max_months="",
            position="",
            guide=str(full_guide.pk),
            sources=str(ref.pk),
        )

    url = reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    response = post_form(editor_client, url, add_fact)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert not KeyFact.objects.filter(kind="demand").exists()  # a draft, nothing live
    preview = editor_client.get(reverse("guide_preview", kwargs={"slug": full_guide.slug}))
    assert "Drafted Source Org, March 2026</a>" in preview.content.decode()
    public = Client().get(full_guide.get_absolute_url()).content.decode()
    assert "Drafted Source Org" not in public
    services.publish(services.draft_of(Guide, full_guide.pk), editor)
    fact = KeyFact.objects.get(guide=full_guide, kind="demand")
    assert list(fact.sources.all()) == [ref]
    assert (
        "Drafted Source Org, March 2026</a>"
        in Client().get(full_guide.get_absolute_url()).content.decode()
    )


def test_reverting_the_guide_brings_a_facts_sources_back(full_guide):
    import reversion
    from reversion.models import Version

    fact = KeyFact.objects.get(guide=full_guide, kind="english")
    cited = list(fact.sources.all())
    assert cited
    with reversion.create_revision():
        reversion.add_to_revision(Guide.objects.get(pk=full_guide.pk))
    fact.sources.clear()
    fact.is_estimate = True
    fact.save()
    Version.objects.get_for_object(full_guide).first().revision.revert(delete=True)
    fact = KeyFact.objects.get(pk=fact.pk)
    assert list(fact.sources.all()) == cited and not fact.is_estimate


def test_the_social_card_reads_the_filled_facts(full_guide):
    KeyFact.objects.filter(guide=full_guide, kind="training").update(
        text="About {months} months", min_months=None, max_months=None
    )
    _, facts = pages.guide_card(full_guide.slug)
    assert [f.value for f in facts if f.kind == "training"] == ["About 3 months"]


def test_a_changed_reference_moves_every_guide_it_may_show_on(full_guide):
    before = Guide.objects.get(pk=full_guide.pk).content_changed_at
    ref = Reference.objects.get(publisher="Survey Publisher")
    ref.published = "August 2025"
    ref.save()
    assert Guide.objects.get(pk=full_guide.pk).content_changed_at > before


# -- Research notes stay with the editors


def test_no_public_page_shows_a_research_note(any_guide):
    SalaryFigure.objects.filter(guide=any_guide).update(research_note=f"{MARKER} a doubt")
    assert SalaryFigure.objects.filter(guide=any_guide).exists()
    client = Client()
    slug = any_guide.slug
    ctx = pages.plan_page(slug)
    urls = [
        reverse("guide", kwargs={"slug": slug}),
        reverse("guide_salaries", kwargs={"slug": slug}),
        reverse("guide_salaries_csv", kwargs={"slug": slug}),
    ]
    plan = reverse("plan", kwargs={"slug": slug})
    for region in ctx.regions:
        urls.append(
            f"{plan}?background={key(ctx.backgrounds[0].name)}&hours=15"
            f"&region={region.slug}&language={key(ctx.languages[0].name)}"
        )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode("utf-8-sig"), url
    # The JSON-LD is part of the pages above; the download has no such column.
    header = next(csv.reader(io.StringIO(client.get(urls[2]).content.decode("utf-8-sig"))))
    assert "research_note" not in header and "research note" not in header
    # Where editors do see it: the admin's import and export.
    exported = SalaryFigureResource().export(SalaryFigure.objects.filter(guide=any_guide))
    assert "research_note" in exported.headers
    assert MARKER in exported.csv


def test_the_research_note_is_in_the_admin_for_editors_only(publisher_client, guide):
    figure = factories.figure(guide, research_note=f"{MARKER} mapped from the survey")
    url = reverse("admin:salaries_salaryfigure_change", args=[figure.pk])
    html = publisher_client.get(url).content.decode()
    assert "For editors only" in html and MARKER in html


# -- Freshness


def test_a_stale_figure_is_flagged_wherever_it_is_shown(client, full_guide, settings):
    settings.STALE_FIGURE_MONTHS = 18
    figure = SalaryFigure.objects.get(guide=full_guide)
    figure.data_year, figure.in_hero = 2020, True
    figure.save()
    flag = "2020 data: older than 18 months"
    guide_html = client.get(full_guide.get_absolute_url()).content.decode()
    [salaries] = elements(html_response(guide_html), "section", id="salaries")
    assert flag in text_of(salaries)
    assert f"({flag})" in guide_html  # the hero's line
    salary_page = client.get(reverse("guide_salaries", kwargs={"slug": full_guide.slug}))
    assert flag in salary_page.content.decode()
    plan = client.get(
        reverse("plan", kwargs={"slug": full_guide.slug}),
        {"background": "teacher", "hours": 15, "region": "europe", "language": "python"},
    )
    [earn] = elements(plan, "section", id="plan-salaries")
    assert flag in text_of(earn)
    # A fresh figure carries no flag; the age follows the setting.
    figure.data_year = 2026
    figure.save()
    assert "older than" not in client.get(full_guide.get_absolute_url()).content.decode()
    settings.STALE_FIGURE_MONTHS = 24
    assert SalaryFigure(data_year=2020).stale_note == "2020 data: older than 2 years"


# -- The junior salaries sentence


def test_junior_salaries_in_an_faq_answer_come_from_the_salary_rows(client, full_guide):
    FAQ.objects.filter(guide=full_guide).update(answer="What juniors earn: {junior_salaries}")
    figure = SalaryFigure.objects.get(guide=full_guide)
    expected = (
        f"{figure.country.name}, €53,000 a year (median base salary; "
        f"{figure.source.label}, 2025 data)"
    )
    html = client.get(full_guide.get_absolute_url()).content.decode()
    assert f"What juniors earn: Junior figures we publish: {expected}." in html
    # No second copy of the number: the sentence follows the row.
    figure.amount = 55000
    figure.save()
    html = client.get(full_guide.get_absolute_url()).content.decode()
    assert "€55,000 a year" in html and "€53,000" not in html
    # An unpublished figure is not quoted.
    figure.is_published = False
    figure.save()
    html = client.get(full_guide.get_absolute_url()).content.decode()
    assert "We have no reliable junior figure yet" in html


def test_junior_salaries_take_one_figure_per_region_a_sources_own_role_first(full_guide):
    eu = SalaryFigure.objects.get(guide=full_guide).country.region
    us_region = factories.region(name="United States", slug="united-states")
    us = factories.country(code="US", region=us_region, name="United States")
    junior = factories.grade("Junior")
    factories.figure(
        full_guide,
        country=us,
        grade=junior,
        amount=90000,
        currency="USD",
        is_proxy_role=True,
        segment="All developers",
    )
    factories.figure(
        full_guide, country=us, grade=junior, amount=80000, currency="USD", segment="Backend"
    )
    figures = list(SalaryFigure.objects.for_page(full_guide))
    sentence = pages.junior_salaries(figures)
    germany = SalaryFigure.objects.get(guide=full_guide, amount=53000).country.name
    assert sentence.count(germany) == 1 and sentence.count("United States") == 1
    assert "$80,000" in sentence and "$90,000" not in sentence
    assert eu.pk != us_region.pk


# -- Stories


def test_the_story_card_says_when_and_how_many_hours_and_the_intro_says_where_from(
    client, full_guide
):
    full_guide.stories_intro = "Told by readers; not independently checked."
    full_guide.save()
    factories.story(full_guide, first_name="Ana", year=2023, hours_per_week=10)
    factories.story(full_guide, first_name="Ben", year=2021)
    response = client.get(full_guide.get_absolute_url())
    [stories] = elements(response, "section", id="stories")
    text = text_of(stories)
    assert "Told by readers; not independently checked." in text
    assertInHTML('<p class="story-when">2023 · 10 h a week</p>', str(stories))
    assertInHTML('<p class="story-when">2021</p>', str(stories))
    assert str(stories).count('class="story-when"') == 2  # Olga told neither


# -- helpers


def html_response(html):
    """An object `elements` can parse, from page text."""

    class Page:
        content = html.encode()

    return Page


def text_of(element):
    return " ".join(
        str(child) if isinstance(child, str) else text_of(child) for child in element.children
    )
