"""One query function per page: everything a page shows, in a fixed number of
queries however much content there is. Views call these; templates only read.
"""

from dataclasses import dataclass
from itertools import groupby

from django.http import Http404

from roadmaps.models import (
    FAQ,
    Comparison,
    KeyFact,
    MarketInsight,
    Myth,
    Profession,
    Skill,
    Stage,
)
from salaries.models import Grade, SalaryFigure
from salaries.tables import salary_tables, sources_used
from stories.models import Story


@dataclass
class GuidePage:
    guide: Profession
    stages: list
    technical_skills: list
    soft_skills: list
    facts: list
    comparisons: list
    stories: list
    myths: list
    market: list  # [(region, [insight, ...]), ...]
    faqs: list
    salary_regions: list
    salary_sources: list
    salary_count: int


def home_page():
    """Published guides, featured first. One query."""
    return list(Profession.objects.published().order_by("-is_featured", "position", "name"))


def guide_page(slug, *, include_drafts=False):
    """Everything the guide page shows, in 12 queries. Raises Http404."""
    guides = Profession.objects.all() if include_drafts else Profession.objects.published()
    try:
        guide = guides.select_related("reviewed_by").get(slug=slug)
    except Profession.DoesNotExist:
        raise Http404("No such guide") from None

    stages = list(Stage.objects.filter(profession=guide).prefetch_related("skills"))
    skills = list(Skill.objects.filter(profession=guide))
    comparisons = list(Comparison.objects.filter(profession=guide).select_related("related_guide"))
    insights = MarketInsight.objects.filter(profession=guide).select_related("region")
    insights = insights.order_by("region__position", "region__name", "position", "id")
    market = [(region, list(rows)) for region, rows in groupby(insights, key=lambda i: i.region)]
    figures = list(SalaryFigure.objects.for_page(guide))
    grades = list(Grade.objects.all())
    stories = Story.objects.published() if not include_drafts else Story.objects.all()
    stories = list(stories.filter(profession=guide).select_related("background"))

    return GuidePage(
        guide=guide,
        stages=stages,
        technical_skills=[s for s in skills if s.kind == Skill.TECHNICAL],
        soft_skills=[s for s in skills if s.kind == Skill.SOFT],
        facts=list(KeyFact.objects.filter(profession=guide)),
        comparisons=comparisons,
        stories=stories,
        myths=list(Myth.objects.filter(profession=guide)),
        market=market,
        faqs=list(FAQ.objects.filter(profession=guide)),
        salary_regions=salary_tables(figures, grades),
        salary_sources=sources_used(figures),
        salary_count=len(figures),
    )
