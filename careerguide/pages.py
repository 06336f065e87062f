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

from roadmaps import stamp, timing
from roadmaps.blocks import SECTIONS, page_block_count, page_prefetch_count, prefetches
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
from salaries.templatetags.money import in_sentence, money
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
    timing: timing.TimeModel  # the guide's one model of time, stated in "How long it takes"

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


def _published_guide(slug, guides=None):
    """The published guide with this slug (from `guides`, a queryset, if given),
    or Http404."""
    try:
        return (Guide.objects.published() if guides is None else guides).get(slug=slug)
    except Guide.DoesNotExist:
        raise Http404("No such guide") from None


def guide_card(slug):
    """The guide and its key facts, for the social card image."""
    guide = _published_guide(slug)
    # Short facts fit the card: the durations and the demand trend.
    kinds = [KeyFact.Kind.TRAINING, KeyFact.Kind.JOB_SEARCH, KeyFact.Kind.DEMAND]
    facts = list(KeyFact.objects.filter(guide=guide, kind__in=kinds))
    stages = Stage.objects.filter(guide=guide).only("month_from", "month_to", "open_ended")
    fill_texts(timing.model_for(guide, stages), facts=facts)
    return guide, facts


# Tokens: the texts editors write with {months}, {hours}, {months_at:N} … are
# filled here, from the guide's time model (`roadmaps.timing`) and the salary
# rows the page shows, so templates, the JSON-LD and the social card all read
# the same words. The rows are the page's own copies and are never saved.


def fill_texts(model, *, facts=(), faqs=(), insights=(), stages=(), extra=None):
    """Fill the tokens of the rows' texts in place; FAQ answers also get
    `extra` ({"junior_salaries": sentence})."""
    for fact in facts:
        fact.text = timing.fill(fact.text, model)
    for faq in faqs:
        faq.answer = timing.fill(faq.answer, model, extra)
    for insight in insights:
        insight.text = timing.fill(insight.text, model)
    for stage in stages:
        stage.description = timing.fill(stage.description, model)
        stage.steps = timing.fill(stage.steps, model)


def figure_phrase(figure):
    """'Germany, €52,000 a year (median base salary; StepStone 2026, 2025 data)'."""
    where = figure.country.name + (f" ({figure.segment})" if figure.segment else "")
    what = in_sentence(f"{figure.get_statistic_display()} {figure.get_pay_basis_display()}")
    source = f"{figure.source.label}, {figure.data_year} data"
    if stale := figure.stale_note:
        source += f", {stale.split(': ', 1)[1]}"
    amount = money(figure.amount, figure.currency)
    return f"{where}, {amount} {figure.period_label} ({what}; {source})"


def junior_salaries(figures):
    """The `{junior_salaries}` sentence: one published junior figure per region,
    from `figures` (the rows the salary section shows, in its order), a
    source's own role before a proxy role. No second copy of a number: the
    sentence is made from the rows on every request."""
    by_region = {}
    for f in figures:
        if f.grade.slug != "junior":
            continue
        best = by_region.get(f.country.region_id)
        if best is None or (best.is_proxy_role and not f.is_proxy_role):
            by_region[f.country.region_id] = f
    if not by_region:
        return "We have no reliable junior figure yet; see the salary section."
    return "Junior figures we publish: " + "; ".join(map(figure_phrase, by_region.values())) + "."


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
    stories: list
    timing: timing.TimeModel


# The guide, its figures, stages (and their skills), technical skills,
# backgrounds (and theirs), first languages (and their own skills), stories
# (and theirs).
PLAN_PAGE_QUERIES = 11


def plan_page(slug):
    """Everything the personalized plan needs, in `PLAN_PAGE_QUERIES` queries.
    Raises Http404. The job search is the last stage: no key fact is added."""
    guide = _published_guide(slug)
    figures = list(SalaryFigure.objects.for_page(guide))
    regions = list({f.country.region: None for f in figures})
    stages = list(Stage.objects.filter(guide=guide).prefetch_related("skills"))
    model = timing.model_for(guide, stages)
    fill_texts(model, stages=stages)
    return PlanContext(
        guide=guide,
        stages=stages,
        technical_skills=list(Skill.objects.filter(guide=guide, kind=Skill.Kind.TECHNICAL)),
        backgrounds=list(Background.objects.filter(guide=guide).prefetch_related("skills")),
        languages=list(LanguageOption.objects.filter(guide=guide).prefetch_related("skills")),
        regions=regions,
        junior_figures=[f for f in figures if f.grade.slug == "junior"],
        stories=list(Story.objects.published().filter(guide=guide).prefetch_related("skills")),
        timing=model,
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


# The guide and the grades; each block type adds one more, and each of the
# links its rows show (`roadmaps.blocks`: `Block.prefetch`) one more.
GUIDE_PAGE_BASE_QUERIES = 2


# What a comparison card shows (`roadmaps/_comparisons.html`); any other field
# would cost a query per card, which the query-count tests catch.
COMPARISON_FIELDS = (
    "guide_id",
    "position",
    "related_name",
    "points",
    "related_guide__slug",
    "related_guide__is_published",
)


def guide_page_queries():
    """The guide page's fixed query count, however many rows it shows."""
    return GUIDE_PAGE_BASE_QUERIES + page_block_count() + page_prefetch_count()


def _rows(queryset):
    """A block's rows, each with the links the registry says it shows
    (`Block.prefetch`), attached by `attach_links`: one query per link."""
    rows = list(queryset)
    for lookup in prefetches(queryset.model):
        attach_links(rows, queryset.model, lookup)
    return rows


def attach_links(rows, model, lookup):
    """Give each of `rows` (of `model`) the targets of its many-to-many field
    `lookup` as a list, `row.shown_<lookup>`, in the target model's order: what
    `prefetch_related(lookup)` would read, in one query on the link table with
    the target's columns joined in (none when there are no rows, as with a
    prefetch). The guide page reads these lists; `row.<lookup>.all()` still
    works but queries.

    Why not a prefetch: it builds a queryset and a related manager for every
    row, and a model instance for every link; here a target cited by many rows
    (a reference) is one instance, and the whole read costs about half."""
    field = model._meta.get_field(lookup)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    related = field.related_model
    names = [f.attname for f in related._meta.concrete_fields]
    pk_at = names.index(related._meta.pk.attname)
    order = [
        f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
        for name in related._meta.ordering
    ]
    links = (
        field.remote_field.through.objects.filter(**{f"{source}__in": [r.pk for r in rows]})
        .order_by(*order)
        .values_list(f"{source}_id", *(f"{target}__{name}" for name in names))
    )
    shown, targets = {row.pk: [] for row in rows}, {}
    for row_pk, *values in links:
        obj = targets.get(values[pk_at])
        if obj is None:
            obj = targets[values[pk_at]] = related.from_db(links.db, names, values)
        shown[row_pk].append(obj)
    attribute = f"shown_{lookup}"
    for row in rows:
        setattr(row, attribute, shown[row.pk])


def guide_page(slug):
    """Everything the guide page shows, in `guide_page_queries()` queries: a
    base, one per block type on the page and one per link they prefetch
    (`roadmaps.blocks`). Raises Http404.

    Published rows only, for the preview too: it applies the drafts first
    (`views.guide_preview`), so it shows the page exactly as it will be."""
    guide = _published_guide(slug, Guide.objects.published().select_related("reviewed_by"))

    # Each stage's resources: the one query the Resource block adds.
    stages = _rows(Stage.objects.filter(guide=guide).prefetch_related("resources"))
    skills = list(Skill.objects.filter(guide=guide))
    # Of a related guide, the card shows only its link, and only when it is published.
    comparisons = Comparison.objects.filter(guide=guide).select_related("related_guide")
    comparisons = list(comparisons.only(*COMPARISON_FIELDS))
    insights = MarketInsight.objects.filter(guide=guide).select_related("region")
    insights = _rows(insights.order_by("region__position", "region__name", "position", "id"))
    facts = _rows(KeyFact.objects.filter(guide=guide))
    faqs = _rows(FAQ.objects.filter(guide=guide))
    figures = list(SalaryFigure.objects.for_page(guide))
    grades = list(Grade.objects.all())
    stories = list(Story.objects.published().filter(guide=guide))
    model = timing.model_for(guide, stages)
    fill_texts(model, facts=facts, faqs=faqs, insights=insights, stages=stages,
               extra={timing.SALARY_TOKEN: junior_salaries(figures)})  # fmt: skip
    market = [(region, list(rows)) for region, rows in groupby(insights, key=lambda i: i.region)]

    return GuidePage(
        guide=guide,
        stages=stages,
        technical_skills=[s for s in skills if s.kind == Skill.Kind.TECHNICAL],
        soft_skills=[s for s in skills if s.kind == Skill.Kind.SOFT],
        facts=facts,
        comparisons=comparisons,
        stories=stories,
        myths=list(Myth.objects.filter(guide=guide)),
        market=market,
        faqs=faqs,
        salary_figures=figures,
        salary_summary=summary(figures, grades),
        salary_details=details(figures),
        salary_sources=sources_used(figures),
        salary_count=len(figures),
        hero_figure=next((f for f in figures if f.in_hero), None),
        timing=model,
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
