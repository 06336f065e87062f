"""What editors should look at next: stale figures, guides due a review,
grades with no figure, and key facts and market notes that cite no source and
are not marked as the editors' estimate. Shown on the admin index."""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse

from roadmaps.models import Guide, KeyFact, MarketInsight
from salaries.freshness import first_fresh_year
from salaries.models import Grade, SalaryFigure


class Gap(NamedTuple):
    """A country of a guide with grades that have no published figure."""

    guide: object
    country: str
    grades: list  # grade names
    url: str  # the figure list, filtered to this guide and country


class Unsourced(NamedTuple):
    """A key fact or market note with neither a source nor the estimate flag."""

    guide: object
    what: str  # "Key fact: Training Duration"
    url: str  # the guide's form, at the row's inline group


def unsourced():
    """Key facts and market notes that cite nothing and are not marked as
    estimates: the admin form refuses them, but rows saved before the rule
    (or loaded from a file) may still be so."""
    found = []
    for model, group, name in ((KeyFact, "keyfact_set", "Key fact"),
                               (MarketInsight, "marketinsight_set", "Market note")):  # fmt: skip
        rows = (
            model.objects.filter(sources__isnull=True, is_estimate=False)
            .select_related("guide")
            .order_by("guide__position", "guide__name", "position", "pk")
        )
        for row in rows:
            url = reverse("admin:roadmaps_guide_change", args=[row.guide_id]) + f"#{group}-group"
            label = row.label if model is KeyFact else row.text[:60]
            found.append(Unsourced(row.guide, f"{name}: {label}", url))
    return found


@dataclass
class Attention:
    stale_figures: list = field(default_factory=list)
    stale_count: int = 0
    stale_url: str = ""
    review_due: list = field(default_factory=list)
    gaps: list = field(default_factory=list)  # [Gap]
    unsourced: list = field(default_factory=list)  # [Unsourced]

    @property
    def more_stale(self):
        """Stale figures counted but not listed (the list shows the oldest few)."""
        return self.stale_count - len(self.stale_figures)

    @property
    def empty(self):
        return not (self.stale_count or self.review_due or self.gaps or self.unsourced)


def months_ago(today, months):
    """The same day `months` months back (the month's last day if it is shorter)."""
    return today - relativedelta(months=months)


def needs_attention(today=None):
    today = today or datetime.date.today()
    stale = SalaryFigure.objects.filter(data_year__lt=first_fresh_year(today)).select_related(
        "guide", "country", "grade", "source"
    )
    result = Attention(
        stale_count=stale.count(),
        stale_figures=list(stale.order_by("data_year")[:8]),
        stale_url=reverse("admin:salaries_salaryfigure_changelist") + "?fresh=stale",
        review_due=list(
            Guide.objects.filter(
                reviewed_on__lt=months_ago(today, settings.REVIEW_DUE_MONTHS)
            ).order_by("reviewed_on")
        ),
        unsourced=unsourced(),
    )
    grades = [g for g in Grade.objects.all() if not g.is_all_levels]
    have = {}
    for guide_id, country_id, country, grade_id in SalaryFigure.objects.published().values_list(
        "guide_id", "country_id", "country__name", "grade_id"
    ):
        have.setdefault((guide_id, country_id, country), set()).add(grade_id)
    guides = Guide.objects.in_bulk({guide_id for guide_id, _, _ in have})
    figures = reverse("admin:salaries_salaryfigure_changelist")
    for (guide_id, country_id, country), grade_ids in sorted(have.items(), key=lambda kv: kv[0][2]):
        missing = [g.name for g in grades if g.pk not in grade_ids]
        if missing:
            url = f"{figures}?guide__id__exact={guide_id}&country__id__exact={country_id}"
            result.gaps.append(Gap(guides[guide_id], country, missing, url))
    return result
