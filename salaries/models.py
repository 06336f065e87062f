"""Salary figures, each with its own source, year, currency and period.

Figures are never converted or averaged here: each shows exactly what its
source published. The database enforces the invariants (positive amounts,
p25 ≤ median ≤ p75, one figure per guide/country/grade/source/segment).
"""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from roadmaps.constraints import FieldCheckConstraint
from roadmaps.models import ContentBlock, Country, KeyManager, TimeStamped
from roadmaps.ordering import Ordered, position_field, unique_position

from . import freshness


class Grade(Ordered, TimeStamped):
    """Junior, Middle, Senior, Lead, and 'All levels' for sources with no split."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(unique=True)
    position = position_field("Column order in the salary tables: lower numbers come first.")
    is_all_levels = models.BooleanField(
        default=False, help_text="For sources that publish one figure across all grades."
    )

    objects = KeyManager("slug")

    class Meta:
        ordering = ["position", "name"]
        constraints = [unique_position("grade_position", what="grade")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Source(TimeStamped):
    """A publication that gives one or more figures."""

    name = models.CharField(
        max_length=160, unique=True, help_text="As cited on the page, e.g. 'IT Jobs Watch'."
    )
    short_name = models.CharField(
        "short label",
        max_length=60,
        blank=True,
        help_text="Short label for tables, e.g. 'Stack Overflow 2025'. Unique when set: an "
        "import file may name the source by it instead of its full name.",
    )
    publisher = models.CharField(
        max_length=160, blank=True, help_text="Who published the figures we quote."
    )
    url = models.URLField(max_length=400, help_text="The page or file the figures were read in.")
    methodology = models.TextField(
        blank=True,
        help_text="What the source measures: sample, statistic, pay basis, caveats.",
    )
    terms = models.TextField(
        "reuse terms",
        blank=True,
        help_text="On what terms others may reuse this source's figures, as the source states "
        "them: its licence (e.g. 'Open Database License (ODbL) 1.0'), or, where it names none, "
        "'No open licence known: quoted with attribution; see the source's terms of use'. "
        "Never guess a licence. Shown in the 'source terms' column of the salary download.",
    )

    objects = KeyManager("name")

    class Meta:
        ordering = ["name"]
        constraints = [
            # An import names a source by its name or its short label, so one
            # label must mean one source. Blank labels are many and mean none.
            models.UniqueConstraint(
                fields=["short_name"],
                condition=~Q(short_name=""),
                name="source_short_name_unique",
                violation_error_message="Another source already uses this short label.",
                # "unique" keys the error to the field, so it shows beside it.
                violation_error_code="unique",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.name,)

    @property
    def label(self):
        return self.short_name or self.name


class FigureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def get_by_natural_key(self, guide, country, grade, source, segment):
        return self.get(
            guide__slug=guide,
            country__code=country,
            grade__slug=grade,
            source__name=source,
            segment=segment,
        )

    def for_page(self, guide):
        """Everything the salary section shows, in one query."""
        return (
            self.published()
            .filter(guide=guide)
            .select_related("country__region", "grade", "source")
            .order_by(
                "country__region__position",
                "country__position",
                "country__name",
                "grade__position",
                "position",
                "amount",
            )
        )


class SalaryFigure(ContentBlock):
    class Statistic(models.TextChoices):
        MEDIAN = "median", "Median"
        MEAN = "mean", "Mean (average)"

    class PayBasis(models.TextChoices):
        BASE = "base", "Base salary"
        TOTAL = "total", "Total compensation"
        ADVERTISED = "advertised", "Advertised salary"
        B2B = "b2b", "B2B contract rate"

    class Period(models.TextChoices):
        YEAR = "year", "per year"
        MONTH = "month", "per month"

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="salary_figures")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="figures")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures")
    segment = models.CharField(
        max_length=80,
        blank=True,
        default="",
        help_text="Tells apart several figures from one source for the same cell, e.g. "
        "'Engineering manager' or 'Startups'. Empty when the source has one figure per cell.",
    )
    is_proxy_role = models.BooleanField(
        "proxy role",
        default=False,
        help_text="The figure is for a related job role mapped to this grade (e.g. engineering "
        "managers for Lead). The page labels it as such.",
    )
    statistic = models.CharField(max_length=10, choices=Statistic, default=Statistic.MEDIAN)
    pay_basis = models.CharField(max_length=12, choices=PayBasis, default=PayBasis.BASE)
    amount = models.PositiveIntegerField(
        help_text="The median (or mean) exactly as the source published it, in its currency."
    )
    p25 = models.PositiveIntegerField(
        "25th percentile", null=True, blank=True, help_text="Only if the source publishes it."
    )
    p75 = models.PositiveIntegerField(
        "75th percentile", null=True, blank=True, help_text="Only if the source publishes it."
    )
    currency = models.CharField(
        max_length=3, help_text="ISO 4217 code as published, e.g. EUR. Never convert."
    )
    period = models.CharField(max_length=5, choices=Period, default=Period.YEAR)
    data_year = models.PositiveSmallIntegerField(help_text="The year the data describes.")
    source_url = models.URLField(
        max_length=400,
        blank=True,
        help_text="The exact page for this figure, if it differs from the source's URL.",
    )
    note = models.TextField(
        blank=True,
        help_text="Public: shown to readers under 'About this figure' and in the download. "
        "Written for a reader: what the figure covers and its caveats, e.g. 'Stack Overflow's "
        "back-end developers with 0–2 years' experience'. Research notes go below.",
    )
    research_note = models.TextField(
        blank=True,
        help_text="For editors only, never shown on the site, in the download or in search "
        "data: how the figure was found and mapped, what to check next time, open doubts. "
        "In imports and exports as the 'research_note' column.",
    )
    position = position_field(
        "Order within a table cell, where a country and grade have several figures: "
        "lower numbers come first. Numbers run across the whole guide."
    )
    is_published = models.BooleanField(default=True, help_text="Unpublished figures are hidden.")
    in_hero = models.BooleanField(
        "shown in the hero",
        default=False,
        help_text="Show this figure, with its source and year, in the short salary line at the "
        "top of its guide. One figure per guide; with none ticked the line says 'see "
        "salaries'. Pick a figure from a strong source that most readers care about.",
    )

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["guide", "country", "grade__position", "position"]
        constraints = [
            *ContentBlock.Meta.constraints,
            models.UniqueConstraint(
                fields=["guide", "country", "grade", "source", "segment"],
                name="figure_unique_cell",
                violation_error_message="A figure already exists for this guide, country, "
                "grade, source and segment: use Segment to tell two apart.",
            ),
            models.UniqueConstraint(
                fields=["guide"],
                condition=Q(in_hero=True),
                name="figure_one_hero_per_guide",
                violation_error_message="Another figure of this guide is already shown in the "
                "hero. Untick 'Shown in the hero' on that figure first.",
            ),
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="figure_amount_positive",
                field="amount",
                violation_error_message="The amount must be more than 0.",
            ),
            FieldCheckConstraint(
                condition=Q(p25__isnull=True) | (Q(p25__gt=0) & Q(p25__lte=F("amount"))),
                name="figure_p25_le_median",
                field="p25",
                violation_error_message="The 25th percentile must be more than 0 and at most "
                "the median (the amount), or empty.",
            ),
            FieldCheckConstraint(
                condition=Q(p75__isnull=True) | Q(p75__gte=F("amount")),
                name="figure_p75_ge_median",
                field="p75",
                violation_error_message="The 75th percentile must be at least the median "
                "(the amount), or empty.",
            ),
            FieldCheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="figure_currency_iso",
                field="currency",
                violation_error_message="The currency is a three-letter ISO code in capitals, "
                "such as EUR, USD or GBP.",
            ),
            FieldCheckConstraint(
                condition=Q(data_year__gte=1990) & Q(data_year__lte=2100),
                name="figure_data_year_range",
                field="data_year",
                violation_error_message="The data year must be between 1990 and 2100.",
            ),
        ]

    def __str__(self):
        seg = f" ({self.segment})" if self.segment else ""
        return f"{self.country.code} {self.grade}{seg}: {self.amount} {self.currency}"

    def get_absolute_url(self):
        return reverse("guide", kwargs={"slug": self.guide.slug}) + "#salaries"

    def natural_key(self):
        """The figure's cell, as its unique constraint names it."""
        return (
            *self.guide.natural_key(),
            *self.country.natural_key(),
            *self.grade.natural_key(),
            *self.source.natural_key(),
            self.segment,
        )

    natural_key.dependencies = [
        "roadmaps.guide",
        "roadmaps.country",
        "salaries.grade",
        "salaries.source",
    ]

    @property
    def url(self):
        return self.source_url or self.source.url

    @property
    def period_label(self):
        return "a year" if self.period == self.Period.YEAR else "a month"

    @property
    def stale_note(self):
        """'2020 data: older than 18 months' when the figure is stale, else ''
        (`salaries.freshness`): shown beside the figure wherever it appears."""
        return freshness.stale_note(self)


class ImportLog(models.Model):
    """One confirmed import of salary figures (django-import-export), kept so it
    can be undone from the admin: the rows it created, and for every row it
    changed a "before import" version; for every row it saved, the version it
    left (to tell whether someone edited the row since).

    Versions are saved one row per revision: reverting a version reverts its
    whole revision, so restoring one figure from its history never restores the
    rest of the file with it."""

    file_name = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    new_count = models.PositiveIntegerField("new", default=0)
    changed_count = models.PositiveIntegerField("changed", default=0)
    created_ids = models.JSONField(
        default=list, blank=True, help_text="Ids of the figures the import created."
    )
    before_versions = models.ManyToManyField(
        "reversion.Version",
        related_name="import_logs_before+",
        blank=True,
        help_text="The changed figures as they were before the import.",
    )
    after_versions = models.ManyToManyField(
        "reversion.Version",
        related_name="import_logs_after+",
        blank=True,
        help_text="Every saved figure as the import left it.",
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import"
        verbose_name_plural = "imports"
        # A record of what happened: nobody edits or deletes it; undoing an
        # import is its own view (salaries.admin).
        default_permissions = ("view",)

    def __str__(self):
        who = self.user.get_username() if self.user else "unknown user"
        return (
            f"Import of {self.file_name or 'a file'} by {who}: "
            f"{self.new_count} new, {self.changed_count} changed"
        )
