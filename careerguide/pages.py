"""One query function per page: everything a page shows, in a fixed number of
queries however much content there is. Views call these; templates only read.
"""

import contextlib
from dataclasses import dataclass
from itertools import groupby

from django.core.cache import cache
from django.db import DatabaseError
from django.http import Http404
from django.urls import reverse

from roadmaps import stamp
from roadmaps.blocks import SECTIONS
from roadmaps.models import (
    FAQ,
    Background,
    Comparison,
    Guide,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Myth,
    Person,
    Skill,
    SlugRedirect,
    Stage,
)
from salaries.models import Grade, SalaryFigure
from salaries.tables import data_years, details, sources_used, summary
from stories.models import Story

from .models import SitePage


@dataclass
class GuidePage:
    guide: Guide
    stages: list
    technical_skills: list
    soft_skills: list
    facts: list
    comparisons: list
    stories: list
    myths: list
    market: list  # [(region, [insight, ...]), ...]
    faqs: list
    salary_figures: list  # published, in page order
    salary_summary: object  # salaries.tables.Summary
    salary_details: list  # [salaries.tables.CountryDetail]
    salary_sources: list
    salary_count: int
    hero_figure: SalaryFigure | None  # the editor's pick for the hero's salary line

    @property
    def sections(self):
        """The registry's sections this guide shows, in page order."""
        return [s for s in SECTIONS if not s.shown_if or getattr(self, s.shown_if)]


@dataclass
class HomePage:
    featured: Guide | None
    others: list
    last_modified: object


def home_page():
    """Published guides, featured first. One query."""
    guides = list(Guide.objects.published().order_by("-is_featured", "position", "name"))
    featured = guides[0] if guides else None
    return HomePage(
        featured=featured,
        others=guides[1:],
        last_modified=max((g.content_changed_at for g in guides), default=None),
    )


def guide_redirect(slug, url_name="guide"):
    """The current URL of a published guide's page `url_name` (the guide, its
    salary page …) when the guide used to have `slug`, or None."""
    row = (
        SlugRedirect.objects.filter(old_slug=slug, guide__is_published=True)
        .select_related("guide")
        .first()
    )
    return reverse(url_name, kwargs={"slug": row.guide.slug}) if row else None


def guide_card(slug):
    """The guide and its key facts, for the social card image."""
    try:
        guide = Guide.objects.published().get(slug=slug)
    except Guide.DoesNotExist:
        raise Http404("No such guide") from None
    # Short facts fit the card: the durations and the demand trend.
    kinds = [KeyFact.Kind.TRAINING, KeyFact.Kind.JOB_SEARCH, KeyFact.Kind.DEMAND]
    facts = list(KeyFact.objects.filter(guide=guide, kind__in=kinds))
    return guide, facts


def guides_for_404():
    """Links for the 404 page: from the cache when it has them (so the page
    needs no database), else from the database, else none."""
    current = stamp.current()
    key = f"guides-for-404:{current}" if current else None
    try:
        links = cache.get(key) if key else None
    except Exception:
        key, links = None, None
    if links is None:
        try:
            links = [
                (g.title, g.get_absolute_url())
                for g in Guide.objects.published().only("name", "slug", "reviewed_on")
            ]
        except DatabaseError:
            return []
        if key:
            with contextlib.suppress(Exception):
                cache.set(key, links, timeout=60 * 60)
    return links


@dataclass
class PlanContext:
    guide: Guide
    stages: list
    technical_skills: list
    backgrounds: list
    languages: list
    regions: list
    junior_figures: list
    job_search: KeyFact | None
    stories: list


def plan_page(slug):
    """Everything the personalized plan needs, in 11 queries. Raises Http404."""
    try:
        guide = Guide.objects.published().get(slug=slug)
    except Guide.DoesNotExist:
        raise Http404("No such guide") from None
    figures = list(SalaryFigure.objects.for_page(guide))
    regions = list({f.country.region: None for f in figures})
    return PlanContext(
        guide=guide,
        stages=list(Stage.objects.filter(guide=guide).prefetch_related("skills")),
        technical_skills=list(Skill.objects.filter(guide=guide, kind=Skill.Kind.TECHNICAL)),
        backgrounds=list(Background.objects.filter(guide=guide).prefetch_related("skills")),
        languages=list(LanguageOption.objects.filter(guide=guide)),
        regions=regions,
        junior_figures=[f for f in figures if f.grade.slug == "junior"],
        job_search=KeyFact.objects.filter(guide=guide, kind=KeyFact.Kind.JOB_SEARCH).first(),
        stories=list(Story.objects.published().filter(guide=guide).prefetch_related("skills")),
    )


@dataclass
class SitePageData:
    page: SitePage
    last_modified: object
    sources: list
    gaps: list  # [(guide, [(country, [grade, ...]), ...]), ...]


def site_page(slug):
    """A published site page; the methodology page also lists every source in use
    and the grades that have no figure."""
    try:
        page = SitePage.objects.published().get(slug=slug)
    except SitePage.DoesNotExist:
        raise Http404("No such page") from None
    sources, gaps, last_modified = [], [], page.content_changed_at
    if slug == SitePage.METHODOLOGY:
        figures = list(
            SalaryFigure.objects.published()
            .filter(guide__is_published=True)
            .select_related("source", "country", "guide", "grade")
            .order_by("guide__position", "country__position", "country__name")
        )
        sources = sorted({f.source for f in figures}, key=lambda s: s.name.lower())
        grades = [g for g in Grade.objects.all() if not g.is_all_levels]
        by_guide = {}
        for f in figures:
            by_guide.setdefault(f.guide, {}).setdefault(f.country, set()).add(f.grade_id)
        for guide, countries in by_guide.items():
            missing = [
                (country, [g for g in grades if g.pk not in have])
                for country, have in countries.items()
            ]
            gaps.append((guide, [(c, g) for c, g in missing if g]))
        last_modified = max([last_modified] + [g.content_changed_at for g in by_guide])
    return SitePageData(page=page, last_modified=last_modified, sources=sources, gaps=gaps)


@dataclass
class PersonPage:
    person: Person
    guides: list
    last_modified: object


def person_page(slug):
    """A reviewer's profile; 404 unless they stand behind a published guide."""
    try:
        person = Person.objects.get(slug=slug)
    except Person.DoesNotExist:
        raise Http404("No such person") from None
    guides = list(Guide.objects.published().filter(reviewed_by=person))
    if not guides:
        raise Http404("No such person")
    last_modified = max([person.updated_at] + [g.content_changed_at for g in guides])
    return PersonPage(person=person, guides=guides, last_modified=last_modified)


# The guide, the grades and the stages' skills; each block type adds one more.
GUIDE_PAGE_BASE_QUERIES = 3


def guide_page(slug):
    """Everything the guide page shows, in `GUIDE_PAGE_BASE_QUERIES` queries
    plus one per block type on the page (`roadmaps.blocks`). Raises Http404.

    Published rows only, for the preview too: it applies the drafts first
    (`views.guide_preview`), so it shows the page exactly as it will be."""
    try:
        guide = Guide.objects.published().select_related("reviewed_by").get(slug=slug)
    except Guide.DoesNotExist:
        raise Http404("No such guide") from None

    # Each stage's resources: the one query the Resource block adds.
    stages = list(Stage.objects.filter(guide=guide).prefetch_related("skills", "resources"))
    skills = list(Skill.objects.filter(guide=guide))
    comparisons = list(Comparison.objects.filter(guide=guide).select_related("related_guide"))
    insights = MarketInsight.objects.filter(guide=guide).select_related("region")
    insights = insights.order_by("region__position", "region__name", "position", "id")
    market = [(region, list(rows)) for region, rows in groupby(insights, key=lambda i: i.region)]
    figures = list(SalaryFigure.objects.for_page(guide))
    grades = list(Grade.objects.all())
    stories = list(Story.objects.published().filter(guide=guide).select_related("background"))

    return GuidePage(
        guide=guide,
        stages=stages,
        technical_skills=[s for s in skills if s.kind == Skill.Kind.TECHNICAL],
        soft_skills=[s for s in skills if s.kind == Skill.Kind.SOFT],
        facts=list(KeyFact.objects.filter(guide=guide)),
        comparisons=comparisons,
        stories=stories,
        myths=list(Myth.objects.filter(guide=guide)),
        market=market,
        faqs=list(FAQ.objects.filter(guide=guide)),
        salary_figures=figures,
        salary_summary=summary(figures, grades),
        salary_details=details(figures),
        salary_sources=sources_used(figures),
        salary_count=len(figures),
        hero_figure=next((f for f in figures if f.in_hero), None),
    )


@dataclass
class SalaryPage:
    guide: Guide
    figures: list  # published, in page order
    summary: object  # salaries.tables.Summary
    details: list  # [salaries.tables.CountryDetail]
    sources: list
    years: tuple | None  # (earliest, latest) data year

    @property
    def last_modified(self):
        return self.guide.content_changed_at


# The guide, its published figures (with their countries, grades and sources), the grades.
SALARY_PAGE_QUERIES = 3


def _published_guide(slug):
    try:
        return Guide.objects.published().get(slug=slug)
    except Guide.DoesNotExist:
        raise Http404("No such guide") from None


def salary_page(slug):
    """A guide's salary page: the summary, every figure in detail and the sources,
    in `SALARY_PAGE_QUERIES` queries however many figures. Raises Http404."""
    guide = _published_guide(slug)
    figures = list(SalaryFigure.objects.for_page(guide))
    grades = list(Grade.objects.all())
    return SalaryPage(
        guide=guide,
        figures=figures,
        summary=summary(figures, grades),
        details=details(figures),
        sources=sources_used(figures),
        years=data_years(figures),
    )


# The guide and its published figures, with their countries, grades and sources.
SALARY_DATASET_QUERIES = 2


def salary_dataset(slug):
    """(guide, its published figures) for the salary download, in
    `SALARY_DATASET_QUERIES` queries. Raises Http404."""
    guide = _published_guide(slug)
    return guide, list(SalaryFigure.objects.for_page(guide))
