"""The starter fixtures fill a fresh database once, and never again."""

import datetime
import re
import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from careerguide import starter
from careerguide.models import SitePage
from roadmaps import stamp
from roadmaps.models import (
    FAQ,
    Background,
    Comparison,
    Country,
    Guide,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Myth,
    Person,
    Region,
    Resource,
    Skill,
    Stage,
    StarterContent,
)
from salaries.models import Grade, SalaryFigure, Source
from stories.models import Story
from tests.commits import settle

pytestmark = pytest.mark.django_db
BLS = "U.S. Bureau of Labor Statistics, OEWS May 2024"

# What the former field-by-field loader produced from the same content, and the
# stages' resources added since (issue 14).
COUNTS = {
    Region: 2,
    Country: 6,
    Grade: 5,
    Source: 9,
    Person: 1,
    SitePage: 4,
    Guide: 1,
    Stage: 4,
    Resource: 15,
    Skill: 27,
    KeyFact: 5,
    Comparison: 3,
    Myth: 3,
    FAQ: 12,
    MarketInsight: 7,
    Background: 6,
    LanguageOption: 2,
    SalaryFigure: 27,
    Story: 3,
}


def test_loader_fills_a_fresh_database(client):
    call_command("load_starter_content")
    guide = Guide.objects.get(slug="backend-developer")
    assert guide.is_published and guide.is_featured
    assert Stage.objects.filter(guide=guide).count() == 4
    assert Skill.objects.filter(guide=guide, kind="technical").count() >= 8
    assert Skill.objects.filter(guide=guide, kind="soft").exists()
    assert FAQ.objects.filter(guide=guide).count() >= 5
    assert Story.objects.filter(guide=guide).count() == 3
    assert SalaryFigure.objects.filter(guide=guide).count() == 27
    # Every technical skill is taught by some stage.
    assert not Skill.objects.filter(guide=guide, kind="technical", stages=None).exists()
    page = client.get(reverse("guide", kwargs={"slug": guide.slug})).content.decode()
    assert page.count("Programming Fundamentals and First Language") == 1
    assert "Robert Half" not in page
    assert "no reliable figure yet" in page  # the summary's empty cells
    # The hero's salary line: the editors' pick, the BLS figure for the US.
    hero = SalaryFigure.objects.get(guide=guide, in_hero=True)
    assert (hero.country.code, hero.source.short_name, hero.amount) == (
        "US",
        "BLS OEWS 2024",
        133080,
    )
    assert '<strong class="amount">$133,080</strong> a year' in page


def test_loaded_content_is_the_starter_content():
    starter.load()
    assert {model: model.objects.count() for model in COUNTS} == COUNTS
    guide = Guide.objects.get(slug="backend-developer")
    assert guide.reviewed_by.slug == "career-guide-editors"
    assert guide.reviewed_on == datetime.date(2026, 11, 20)
    first = Stage.objects.filter(guide=guide).first()
    assert (first.title, first.month_from, first.month_to, first.position) == (
        "Programming Fundamentals and First Language",
        1,
        3,
        0,
    )
    assert list(first.skills.values_list("name", flat=True).order_by("position")) == [
        "Python",
        "TypeScript (Node.js)",
        "Data structures & algorithms",
        "Object-oriented programming",
        "HTTP and networking basics",
        "Command line & Linux",
        "Git & version control",
        "Automated testing",
        "Problem solving",
        "Reading documentation in English",
    ]
    # The guide page asks for the choice; a plan words it for the reader's language.
    assert first.step_list[0] == (
        "Choose Python or TypeScript on Node.js for every exercise, and push each one to GitHub"
    )
    assert (
        first.steps_for("Python")[0] == "Use Python for every exercise, and push each one to GitHub"
    )
    bls = SalaryFigure.objects.get_by_natural_key(guide.slug, "US", "all-levels", BLS, "")
    assert (bls.amount, bls.p25, bls.p75, bls.currency, bls.period, bls.data_year) == (
        133080,
        103050,
        169000,
        "USD",
        "year",
        2024,
    )
    assert bls.source_url == "https://www.bls.gov/oes/current/oes151252.htm"  # primary, issue 16
    # Positions follow the files' order, as the old loader numbered them.
    for model in (Stage, Resource, Skill, FAQ, SalaryFigure, Story):
        positions = list(model.objects.order_by("pk").values_list("position", flat=True))
        assert positions == list(range(len(positions))), model
    story = Story.objects.get(slug="dmitry-financial-analyst")
    assert story.background.name == "Financial analyst"
    assert list(story.skills.values_list("name", flat=True)) == ["Python"]


def test_loaded_rows_are_dated_now_and_the_content_stamp_moves():
    before = timezone.now()
    old_stamp = cache.get(stamp.KEY)
    starter.load()
    guide = Guide.objects.get()
    assert guide.content_changed_at >= before
    assert guide.created_at >= before and guide.updated_at >= before
    assert not Stage.objects.filter(created_at__lt=before).exists()
    assert not SitePage.objects.filter(content_changed_at__lt=before).exists()
    assert cache.get(stamp.KEY) == old_stamp  # not before the load commits
    settle()
    assert cache.get(stamp.KEY) not in {None, old_stamp}


def test_loader_leaves_out_averages_and_unstated_statistics():
    starter.load()
    assert not SalaryFigure.objects.filter(research_note__startswith="AVERAGE").exists()
    assert not SalaryFigure.objects.filter(
        research_note__startswith="STATISTIC NOT STATED"
    ).exists()
    assert set(SalaryFigure.objects.values_list("statistic", flat=True)) == {"median"}
    proxies = SalaryFigure.objects.filter(research_note__contains="PROXY ROLE")
    assert proxies.count() == 6
    assert all(f.is_proxy_role and f.segment for f in proxies)
    assert not Source.objects.filter(name__icontains="Robert Half").exists()


def test_loader_refuses_once_its_marker_exists_even_after_tables_are_emptied():
    starter.load()
    assert StarterContent.objects.filter(name=starter.MARKER).exists()
    Story.objects.all().delete()
    with pytest.raises(starter.AlreadyLoaded):
        starter.load()
    assert not Story.objects.exists()
    with pytest.raises(CommandError):
        call_command("load_starter_content", "--strict")
    call_command("load_starter_content")  # `make run`: skips quietly
    assert not Story.objects.exists()


def test_loading_twice_never_overwrites_an_edit():
    starter.load()
    guide = Guide.objects.get(slug="backend-developer")
    guide.headline = "Edited by an editor."
    guide.save()
    stage = Stage.objects.get(guide=guide, position=0)
    stage.title = "Edited stage"
    stage.save()
    figure = SalaryFigure.objects.get_by_natural_key(guide.slug, "US", "all-levels", BLS, "")
    figure.amount = 140000
    figure.save()
    Region.objects.filter(slug="europe").update(name="Europa")
    FAQ.objects.filter(guide=guide).first().delete()
    counts = {model: model.objects.count() for model in COUNTS}

    call_command("load_starter_content")
    call_command("load_starter_content")

    guide.refresh_from_db()
    assert guide.headline == "Edited by an editor."
    assert Stage.objects.get(pk=stage.pk).title == "Edited stage"
    assert SalaryFigure.objects.get(pk=figure.pk).amount == 140000
    assert Region.objects.get(slug="europe").name == "Europa"
    assert {model: model.objects.count() for model in COUNTS} == counts
    assert StarterContent.objects.count() == 1


def test_without_the_marker_the_loader_still_never_overwrites_a_row():
    """A database with content but no marker: the load stops, and writes nothing."""
    Region.objects.create(name="Europa", slug="europe")
    with pytest.raises(CommandError, match="already exists"):
        call_command("load_starter_content")
    assert list(Region.objects.values_list("name", flat=True)) == ["Europa"]
    assert not Guide.objects.exists() and not Country.objects.exists()
    assert not StarterContent.objects.exists()


def test_fixtures_load_in_the_block_registrys_order():
    from roadmaps.blocks import block_models

    files = starter.fixture_files()
    names = [f.name for f in files]
    assert names[: len(starter.SHARED)] == [f"{name}.json" for name in starter.SHARED]
    blocks = [f"{model._meta.model_name}.json" for model in block_models()]
    assert names[len(starter.SHARED) :] == ["guide.json", *blocks]


def test_a_fixture_for_no_registered_block_is_refused(tmp_path):
    directory = tmp_path / "starter"
    shutil.copytree(starter.STARTER_DIR, directory)
    (directory / "guides" / "backend-developer" / "stages.json").write_text("[]")
    with pytest.raises(CommandError, match=r"stages\.json names no block"):
        starter.load(directory)
    assert not Guide.objects.exists()


def test_every_stage_links_two_to_four_free_resources_documentation_first():
    starter.load()
    for stage in Stage.objects.prefetch_related("resources"):
        resources = list(stage.resources.all())
        assert 2 <= len(resources) <= 4, stage
        assert resources[0].kind == Resource.Kind.DOCUMENTATION, stage
        assert all(r.is_free and r.url.startswith("https://") for r in resources), stage
        assert all(r.guide_id == stage.guide_id for r in resources), stage
    urls = set(Resource.objects.values_list("url", flat=True))
    for official in [
        "https://docs.python.org/3/tutorial/",
        "https://www.postgresql.org/docs/current/",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP",
        "https://docs.docker.com/get-started/",
    ]:
        assert official in urls


def _sentences(text):
    return {s.strip(" .").lower() for s in re.split(r"[.;:]\s+|\.$", text) if s.strip(" .")}


def test_no_step_restates_its_stages_description():
    """Each step adds something to hand in; none repeats a sentence of the
    description (as "Implement JWT authentication and role-based access
    control" once did)."""
    starter.load()
    stages = list(Stage.objects.all())
    assert sum(len(stage.step_list) for stage in stages) >= 16
    for stage in stages:
        description = _sentences(stage.page_description)
        for step in stage.step_list:
            assert step.strip(" .").lower() not in description, step
            assert not _sentences(step) & description, step
