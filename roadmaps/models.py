"""The guide (a profession) and the content blocks shown on its page.

Every block points at its guide with PROTECT, so deleting a guide can never
cascade away content: an editor has to remove (or move) the blocks first.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from . import timing
from .blocks import SECTION_CHOICES
from .constraints import FieldCheckConstraint
from .ordering import Ordered, position_field, unique_position
from .plan import wording


def split_lines(text):
    """Editor-entered list: one item per line; bullets and blank lines ignored."""
    items = (line.strip().lstrip("-•*").strip() for line in text.splitlines())
    return [item for item in items if item]


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def unique_per_guide(field, name, message):
    """A block's `field` is unique within its guide, with a message for editors."""
    return models.UniqueConstraint(
        fields=["guide", field], name=name, violation_error_message=message
    )


class KeyManager(models.Manager):
    """Finds a row by its natural key, the unique fields that fixtures name it by
    (`loaddata`): `KeyManager("guide__slug", "name")` answers `natural_key()`'s
    `(guide slug, name)`."""

    def __init__(self, *fields):
        super().__init__()
        self.key_fields = fields

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.key_fields, key, strict=True)))


class GuideQuerySet(models.QuerySet):
    def published(self):
        """The one definition of a public guide: views and sitemaps use it."""
        return self.filter(is_published=True)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Person(TimeStamped):
    """An author or reviewer named in a guide's byline."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    role = models.CharField(max_length=160, blank=True, help_text="E.g. 'Senior backend engineer'.")
    bio = models.TextField(blank=True, help_text="A few sentences shown on the profile page.")
    profile_url = models.URLField(
        blank=True, help_text="An external profile (LinkedIn, GitHub, personal site)."
    )

    objects = KeyManager("slug")

    class Meta:
        ordering = ["name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ReferenceQuerySet(models.QuerySet):
    def get_by_natural_key(self, url):
        return self.get(url=url)


class Reference(TimeStamped):
    """A publication a key fact, market note or FAQ answer cites: shared by every
    guide, like regions and people. Readers see "Source: <publisher>, <date>",
    linked to its page."""

    title = models.CharField(
        max_length=200,
        help_text="What it is, as its publisher titles it, e.g. 'Hiring Lab: junior tech job "
        "postings'. Shown when a reader points at the link.",
    )
    publisher = models.CharField(
        max_length=160,
        help_text="Who published it, e.g. 'Indeed Hiring Lab' or 'U.S. Bureau of Labor "
        "Statistics'. The link's text on the page.",
    )
    url = models.URLField(
        "URL",
        max_length=400,
        unique=True,
        help_text="The publisher's own page for it, starting with https://: the primary source, "
        "never a page that quotes it. One reference per address.",
    )
    published = models.CharField(
        "date",
        max_length=40,
        blank=True,
        help_text="When it was published, as the source dates itself: 'July 2025', '2025'. "
        "Shown after the publisher. Empty only if the source gives no date.",
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["publisher", "title"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="reference_url_web",
                field="url",
                violation_error_message="The URL is a web address: it starts with https:// "
                "(or http://).",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.title}"

    def natural_key(self):
        return (self.url,)

    @property
    def label(self):
        """As readers see it: 'Indeed Hiring Lab, July 2025'."""
        return f"{self.publisher}, {self.published}" if self.published else self.publisher


SOURCE_OR_ESTIMATE = "Give a source, or tick Editors' estimate."


def sources_field(what):
    """The references a block cites (`what`: 'fact', 'note', 'answer')."""
    return models.ManyToManyField(
        Reference,
        blank=True,
        related_name="%(class)s_citations",
        help_text=f"Where the {what} comes from: one or more references (type to search by "
        "publisher, title or address; add a new one with +). Readers see the publisher "
        "and date, linked: 'Source: BLS, 2025'.",
    )


def estimate_field(what):
    return models.BooleanField(
        "Editors' estimate",
        default=False,
        help_text=f"Tick when no source backs the {what} and it is the editors' own judgement: "
        "readers see 'Editors' estimate' instead of a source.",
    )


class Guide(Ordered, TimeStamped):
    """A guide: how to become one profession. The root of every content block."""

    name = models.CharField(
        max_length=80, unique=True, help_text="The profession, e.g. 'Backend Developer'."
    )
    slug = models.SlugField(
        unique=True,
        help_text="The guide's address: 'backend-developer' gives /careers/backend-developer/. "
        "After a change, the old address redirects to the new one.",
    )
    headline = models.CharField(max_length=200, help_text="The hero's first line, under the title.")
    intro = models.TextField(help_text="The hero's short paragraph.")
    seo_title = models.CharField(
        max_length=70,
        blank=True,
        help_text="The browser tab and search result title (about 60 characters). "
        "Empty: 'How to Become a' the guide's name 'in' the year, e.g. 'How to Become a "
        "Backend Developer in 2026'.",
    )
    seo_description = models.CharField(
        max_length=200,
        blank=True,
        help_text="The search result snippet (140–160 characters). Empty: the headline.",
    )
    onet_code = models.CharField(
        "O*NET-SOC code", max_length=12, blank=True, help_text="E.g. 15-1252.00."
    )
    isco_code = models.CharField(
        "ISCO-08 code", max_length=4, blank=True, help_text="Four digits, e.g. 2512."
    )
    reviewed_on = models.DateField(
        help_text="When an editor last checked the whole guide. The year in the title comes "
        "from this date."
    )
    reviewed_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_guides",
        help_text="Shown in the byline.",
    )
    is_published = models.BooleanField(
        default=False, help_text="Only published guides are shown to the public."
    )
    is_featured = models.BooleanField(
        default=False, help_text="Featured guides are shown first, and larger, on the home page."
    )
    position = position_field(
        "Order on the home page: lower numbers come first. Drag a row in the list, "
        "or type where it goes; the others move along."
    )
    content_changed_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="Moves whenever the guide or anything shown on its page is saved or deleted.",
    )
    hours_per_week = models.PositiveSmallIntegerField(
        "hours a week",
        default=15,
        help_text="The study hours a week that the stages' months assume. The page says it "
        "once ('about 12 months at 15 hours a week'), fills the {hours} and {months} tokens "
        "from it, and the personalized plan rescales the months to each reader's hours.",
    )
    plan_min_months = models.PositiveSmallIntegerField(
        default=6,
        help_text="The personalized plan never estimates less than this, however fast the "
        "reader studies.",
    )
    plan_max_months = models.PositiveSmallIntegerField(
        default=27,
        help_text="A plan longer than this gets a note suggesting more hours a week. The plan "
        "never shows a total shorter than its learning time, so this is not a cap.",
    )
    salary_intro = models.TextField(blank=True, help_text="The line under the salary heading.")
    salary_caveat = models.CharField(
        max_length=240, blank=True, help_text="The caveat shown with the salary figures."
    )
    path_intro = models.TextField(blank=True, help_text="The line under the learning-path heading.")
    skills_intro = models.TextField(blank=True, help_text="The line under the skills heading.")
    market_intro = models.TextField(blank=True, help_text="The line under the market heading.")
    stories_intro = models.TextField(
        blank=True,
        help_text="Shown above the career-change stories: where they come from, and that they "
        "are told by the people themselves and not independently checked.",
    )
    cta_text = models.CharField(
        "call to action",
        max_length=240,
        blank=True,
        help_text="The closing line that invites readers to the personalized roadmap.",
    )

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            unique_position("guide_position", what="guide"),
            FieldCheckConstraint(
                condition=Q(plan_min_months__gt=0) & Q(plan_max_months__gte=F("plan_min_months")),
                name="guide_plan_bounds",
                field="plan_max_months",
                violation_error_message="Plan max months must be at least plan min months, "
                "and plan min months at least 1.",
            ),
            FieldCheckConstraint(
                condition=Q(hours_per_week__gte=1) & Q(hours_per_week__lte=80),
                name="guide_hours_per_week",
                field="hours_per_week",
                violation_error_message="Hours a week must be between 1 and 80.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.content_changed_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "content_changed_at"}
        old_slug = None
        if self.pk:
            old_slug = Guide.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            # Old links keep working: the guide view answers 301 from the old slug.
            SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"guide": self})
        SlugRedirect.objects.filter(old_slug=self.slug).delete()

    def get_absolute_url(self):
        return reverse("guide", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def title(self):
        return f"How to Become a {self.name} in {self.reviewed_on.year}"

    @classmethod
    def touch(cls, pks):
        """Mark guides as changed without saving them (no signals, no auto_now)."""
        pks = [pk for pk in pks if pk]
        if pks:
            cls.objects.filter(pk__in=pks).update(content_changed_at=timezone.now())


class SlugRedirect(models.Model):
    """A guide's former slug; requests for it are redirected (301) to the guide."""

    old_slug = models.SlugField(unique=True)
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="slug_redirects", verbose_name="guide"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]
        verbose_name = "old guide address"
        verbose_name_plural = "old guide addresses"

    def __str__(self):
        return f"/careers/{self.old_slug}/ → {self.guide}"


class ContentBlock(Ordered, TimeStamped):
    """A row that belongs to one guide, in editor-controlled order.

    Every kind of block inherits this foreign key; `roadmaps.blocks` lists the
    kinds once. The reverse accessor follows the model: `guide.stage_set`.
    """

    guide = models.ForeignKey(
        Guide,
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
        verbose_name="guide",
        help_text="The guide this row belongs to.",
    )
    position = position_field()

    order_within = "guide"

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        constraints = [unique_position("%(app_label)s_%(class)s_position", "guide")]


class Skill(ContentBlock):
    class Kind(models.TextChoices):
        TECHNICAL = "technical", "Technical"
        SOFT = "soft", "Soft"

    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.TECHNICAL)
    description = models.CharField(
        max_length=200, blank=True, help_text="One short sentence; shown as the skill's hint."
    )

    objects = KeyManager("guide__slug", "name")

    class Meta(ContentBlock.Meta):
        constraints = [
            *ContentBlock.Meta.constraints,
            unique_per_guide(
                "name", "skill_unique_name", "Each skill name is used once per guide."
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.guide.natural_key(), self.name)

    natural_key.dependencies = ["roadmaps.guide"]


class Stage(ContentBlock):
    """One step of the learning path, e.g. months 1–3."""

    month_from = models.PositiveSmallIntegerField(help_text="First month of the stage, from 1.")
    month_to = models.PositiveSmallIntegerField(help_text="Last month of the stage.")
    open_ended = models.BooleanField(
        default=False, help_text="Shows '+' after the last month, as in 'Months 10–12+'."
    )
    title = models.CharField(max_length=120)
    description = models.TextField(help_text=wording.HELP)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="stages", help_text="The skills this stage teaches."
    )
    # Lines rather than rows: editors edit them in place on the guide's page, and the
    # page stays within its fixed query budget.
    steps = models.TextField(
        blank=True,
        help_text="One per line, in order, each an action with something to hand in, that "
        "the description does not already say: 'Build a CLI that … and push it to GitHub'. "
        "Marking a choice of first language works as in the description; a step that is "
        "only the choice is left out of plans.",
    )

    # Stages are named in fixtures (a resource names its stage) by guide and order.
    objects = KeyManager("guide__slug", "position")

    class Meta(ContentBlock.Meta):
        constraints = [
            *ContentBlock.Meta.constraints,
            FieldCheckConstraint(
                condition=Q(month_from__gte=1) & Q(month_to__gte=F("month_from")),
                name="stage_months_ordered",
                field="month_to",
                violation_error_message="The last month must not come before the first month, "
                "and the first month is 1 or later.",
            ),
        ]

    def __str__(self):
        return f"{self.months_label}: {self.title}"

    def natural_key(self):
        return (*self.guide.natural_key(), self.position)

    natural_key.dependencies = ["roadmaps.guide"]

    def clean(self):
        super().clean()
        errors = {}
        if found := wording.problems(self.description) + timing.problems(
            self.description, allow=[timing.LANGUAGE_TOKEN]
        ):
            errors["description"] = found
        for number, line in enumerate(split_lines(self.steps), start=1):
            found = wording.problems(line, where=f" (step {number}: each passage within its line)")
            errors.setdefault("steps", []).extend(
                found + timing.problems(line, allow=[timing.LANGUAGE_TOKEN])
            )
        errors = {field: list(dict.fromkeys(found)) for field, found in errors.items() if found}
        if errors:
            raise ValidationError(errors)

    @property
    def months_label(self):
        plus = "+" if self.open_ended else ""
        if self.month_from == self.month_to:
            return f"Month {self.month_from}{plus}"
        return f"Months {self.month_from}–{self.month_to}{plus}"

    @property
    def length_months(self):
        return self.month_to - self.month_from + 1

    def description_for(self, language=None):
        """The description as a reader reads it: `language` is their first
        language, or None for readers who have not chosen (`roadmaps.plan.wording`)."""
        return wording.for_reader(self.description, language)

    @property
    def page_description(self):
        """The description as the guide page shows it."""
        return self.description_for()

    def steps_for(self, language=None):
        """The steps as a reader reads them: `language` is their first language,
        or None on the guide page. A step that was only the choice drops out."""
        steps = (wording.for_reader(line, language) for line in split_lines(self.steps))
        return [step for step in steps if step]

    @property
    def step_list(self):
        """The steps as the guide page shows them."""
        return self.steps_for()

    @property
    def resource_groups(self):
        """[(label, [resource, ...])]: the stage's resources by price and kind,
        each group where its first row is ("Free documentation": A, B, C), so
        the page says "free documentation" once, not after every title. Reads
        the prefetched `resources`."""
        groups = {}
        for resource in self.resources.all():
            groups.setdefault((resource.is_free, resource.kind), []).append(resource)
        return [(rows[0].group_label(len(rows)), rows) for rows in groups.values()]


class ResourceKind(models.TextChoices):
    """What a resource is (`Resource.Kind`)."""

    DOCUMENTATION = "documentation", "Documentation"
    TUTORIAL = "tutorial", "Tutorial"
    COURSE = "course", "Course"
    BOOK = "book", "Book"
    VIDEO = "video", "Video"


# How a stage lists several resources of one kind: "Free tutorials: A · B".
RESOURCE_KIND_PLURALS = {"documentation": "documentation", "tutorial": "tutorials",
                         "course": "courses", "book": "books", "video": "videos"}  # fmt: skip


class Resource(ContentBlock):
    """A vetted resource for one stage of the path: documentation, a tutorial,
    a course, a book or a video, and whether it is free.

    It carries its guide (every block does, for order, drafts and invalidation)
    and its stage, which must be of the same guide. A database rule cannot look
    into the stage's row, so `clean()` checks it; the guide's form only offers
    that guide's stages, and a resource's own form takes the guide from the stage.
    """

    Kind = ResourceKind

    # CASCADE: a resource is part of its stage. Deleting a stage on the guide's
    # form deletes its resources in the same save (PROTECT would refuse that
    # save until they were deleted in an earlier one), and the guide's history
    # holds both, so one revert brings them back together.
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="resources",
        help_text="The stage it helps with, one of this guide's stages (a stage added in this "
        "save can be chosen once saved). Deleting a stage deletes its resources; the "
        "guide's history keeps them.",
    )
    title = models.CharField(
        max_length=120, help_text="As its publisher names it, e.g. 'The Python Tutorial'."
    )
    url = models.URLField(
        "URL",
        max_length=300,
        help_text="The publisher's own page for it, starting with https://, never a copy.",
    )
    kind = models.CharField(
        max_length=15,
        choices=Kind,
        default=Kind.DOCUMENTATION,
        help_text="What it is. Official documentation comes first in each stage.",
    )
    is_free = models.BooleanField(
        "free",
        default=True,
        help_text="Ticked: free to read or watch in full, with no trial or sign-up fee. "
        "Unticked: the page says 'paid'.",
    )
    note = models.CharField(
        max_length=140,
        blank=True,
        help_text="Optional, one short line, shown in brackets after the title: which part "
        "to read, e.g. 'chapters 1 to 3 are enough here'.",
    )

    class Meta(ContentBlock.Meta):
        constraints = [
            *ContentBlock.Meta.constraints,
            models.UniqueConstraint(
                fields=["stage", "url"],
                name="resource_unique_url",
                violation_error_message="This stage already links this URL.",
            ),
            FieldCheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="resource_url_web",
                field="url",
                violation_error_message="The URL is a web address: it starts with https:// "
                "(or http://).",
            ),
            FieldCheckConstraint(
                condition=Q(kind__in=ResourceKind.values),
                name="resource_kind_known",
                field="kind",
                violation_error_message="The kind is documentation, tutorial, course, book "
                "or video.",
            ),
        ]

    def __str__(self):
        return self.title

    def group_label(self, count=1):
        """'Free documentation', 'Paid course', 'Free tutorials' (for `count` rows)."""
        kind = RESOURCE_KIND_PLURALS[self.kind] if count > 1 else self.get_kind_display().lower()
        return f"{'Free' if self.is_free else 'Paid'} {kind}"

    def clean(self):
        super().clean()
        if self.stage_id is None:
            return
        stage_guide = Stage.objects.filter(pk=self.stage_id).values_list("guide_id", flat=True)
        stage_guide = stage_guide.first()
        if self.guide_id is None:
            self.guide_id = stage_guide  # a resource's own form: the guide is the stage's
        elif stage_guide != self.guide_id:
            message = "Choose one of this guide's stages: that stage belongs to another guide."
            raise ValidationError({"stage": message})


class KeyFact(ContentBlock):
    """A typed fact in the 'how long does it take' strip."""

    class Kind(models.TextChoices):
        TRAINING = "training", "Training duration (months)"
        JOB_SEARCH = "job_search", "Job search duration (months)"
        EDUCATION = "education", "Education"
        ENGLISH = "english", "English level"
        DEMAND = "demand", "Demand trend"

    RANGE_KINDS = {Kind.TRAINING, Kind.JOB_SEARCH}

    kind = models.CharField(
        max_length=20,
        choices=Kind,
        help_text="What the fact is about; each kind once per guide. The social card shows "
        "the durations and the demand.",
    )
    label = models.CharField(max_length=60, help_text="As shown, e.g. 'Training Duration'.")
    min_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Durations only, and only without text: the shortest usual time. Prefer the "
        "text with tokens, which follows the stages.",
    )
    max_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Durations only, and only without text: the longest usual time.",
    )
    text = models.CharField(
        max_length=200,
        blank=True,
        help_text="The fact as shown. For a duration, write it with tokens so it follows the "
        "stages: 'About {months} months at {hours} hours a week'; the job search: 'Part of the "
        "path: {last_stage}'. " + timing.TOKEN_HELP,
    )
    sources = sources_field("fact")
    is_estimate = estimate_field("fact")

    objects = KeyManager("guide__slug", "kind")

    class Meta(ContentBlock.Meta):
        constraints = [
            *ContentBlock.Meta.constraints,
            unique_per_guide(
                "kind", "keyfact_unique_kind", "This guide already has a fact of this kind."
            ),
            FieldCheckConstraint(
                condition=(
                    Q(kind__in=["training", "job_search"])
                    & (
                        (
                            Q(min_months__isnull=False, max_months__isnull=False)
                            & Q(min_months__lte=F("max_months"))
                        )
                        | (Q(min_months__isnull=True, max_months__isnull=True) & ~Q(text=""))
                    )
                )
                | (~Q(kind__in=["training", "job_search"]) & ~Q(text="")),
                name="keyfact_typed_value",
                # The kind decides which boxes must be filled in, so the error says so there.
                field="kind",
                violation_error_message="A training or job search duration needs its text "
                "(best with tokens, e.g. 'About {months} months'), or else its shortest and "
                "longest months, the shortest first; any other kind of fact needs its text.",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.value}"

    def natural_key(self):
        return (*self.guide.natural_key(), self.kind)

    natural_key.dependencies = ["roadmaps.guide"]

    def clean(self):
        super().clean()
        if found := timing.problems(self.text):
            raise ValidationError({"text": found})

    @property
    def is_range(self):
        """A duration given as months, not as text."""
        return self.kind in self.RANGE_KINDS and not self.text

    @property
    def value(self):
        if self.is_range:
            return f"{self.min_months}–{self.max_months} months"
        return self.text


class Comparison(ContentBlock):
    """How this profession differs from a neighbouring one."""

    related_name = models.CharField(
        "related profession", max_length=80, help_text="E.g. 'Frontend Developer'."
    )
    related_guide = models.ForeignKey(
        Guide,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The related profession's guide. Linked only once that guide is published.",
    )
    points = models.TextField(help_text="One point per line, in the order shown.")

    objects = KeyManager("guide__slug", "related_name")

    class Meta(ContentBlock.Meta):
        constraints = [
            *ContentBlock.Meta.constraints,
            unique_per_guide(
                "related_name",
                "comparison_unique_name",
                "This guide already compares itself with that profession.",
            ),
        ]

    def __str__(self):
        return f"vs {self.related_name}"

    def natural_key(self):
        return (*self.guide.natural_key(), self.related_name)

    natural_key.dependencies = ["roadmaps.guide"]

    @property
    def point_list(self):
        return split_lines(self.points)


class Myth(ContentBlock):
    myth = models.TextField(help_text="The belief, as people say it.")
    reality = models.TextField(help_text="What is actually true.")

    def __str__(self):
        return self.myth[:80]


class FAQ(ContentBlock):
    """A question and its answer. An answer that states a number or a market
    claim cites a source or is marked as the editors' estimate."""

    question = models.CharField(
        max_length=200, help_text="As readers ask it, e.g. 'Can I learn it in 3–6 months?'."
    )
    answer = models.TextField(
        help_text="Plain text; a blank line starts a new paragraph. Never type a salary figure "
        "or a duration: {junior_salaries} gives one sourced junior figure per region from the "
        "salary section's own rows. " + timing.TOKEN_HELP
    )
    see_also = models.CharField(
        max_length=20,
        choices=SECTION_CHOICES,
        blank=True,
        help_text="Adds a link to this section of the guide under the answer.",
    )
    sources = sources_field("answer")
    is_estimate = estimate_field("answer")

    class Meta(ContentBlock.Meta):
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question

    def clean(self):
        super().clean()
        if found := timing.problems(self.answer, allow=[timing.SALARY_TOKEN]):
            raise ValidationError({"answer": found})


class Region(Ordered, TimeStamped):
    """A market region (e.g. Europe). Shared by all guides, salaries and insights."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(unique=True)
    position = position_field()

    objects = KeyManager("slug")

    class Meta:
        ordering = ["position", "name"]
        constraints = [unique_position("region_position", what="region")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Country(Ordered, TimeStamped):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="countries")
    name = models.CharField(max_length=80)
    code = models.CharField(
        "ISO 3166-1 code", max_length=2, unique=True, help_text="Two capital letters, e.g. DE."
    )
    position = position_field()

    objects = KeyManager("code")
    order_within = "region"

    class Meta:
        ordering = ["region__position", "position", "name"]
        verbose_name_plural = "countries"
        constraints = [
            unique_position("country_position", "region", what="country"),
            FieldCheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"),
                name="country_iso_code",
                field="code",
                violation_error_message="The country code is two capital letters (ISO 3166-1), "
                "such as DE or GB.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class MarketInsight(ContentBlock):
    """A market note for one region, with its source or the editors' estimate."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="insights",
        help_text="The market it describes; notes are grouped by region on the page.",
    )
    text = models.TextField(
        help_text="One claim, in plain words, as the source supports it. " + timing.TOKEN_HELP
    )
    sources = sources_field("note")
    is_estimate = estimate_field("note")

    def __str__(self):
        return f"{self.region}: {self.text[:60]}"

    def clean(self):
        super().clean()
        if found := timing.problems(self.text):
            raise ValidationError({"text": found})


class Background(ContentBlock):
    """Where readers come from; the personalized plan and the stories use it."""

    name = models.CharField(max_length=80, help_text="E.g. 'System administrator'.")
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="backgrounds", help_text="Skills it usually brings."
    )

    objects = KeyManager("guide__slug", "name")

    class Meta(ContentBlock.Meta):
        constraints = [
            *ContentBlock.Meta.constraints,
            unique_per_guide(
                "name",
                "background_unique_name",
                "This guide already has a background with that name.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.guide.natural_key(), self.name)

    natural_key.dependencies = ["roadmaps.guide"]


class LanguageOption(ContentBlock):
    """A first language the guide lets readers choose (e.g. Python or Node.js)."""

    name = models.CharField(max_length=40)
    skills = models.ManyToManyField(
        Skill,
        blank=True,
        related_name="language_options",
        verbose_name="skills for this language only",
        help_text="Skills only readers of this language learn, such as its web framework. "
        "A reader who picks another language does not see them in their plan.",
    )

    objects = KeyManager("guide__slug", "name")

    class Meta(ContentBlock.Meta):
        verbose_name = "first-language option"
        constraints = [
            *ContentBlock.Meta.constraints,
            unique_per_guide(
                "name", "language_unique_name", "This guide already offers that first language."
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.guide.natural_key(), self.name)

    natural_key.dependencies = ["roadmaps.guide"]


class StarterContent(models.Model):
    """Marker: the starter content was loaded once. Its loader never runs again."""

    name = models.CharField(max_length=80, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "starter content"

    def __str__(self):
        return f"{self.name} (loaded {self.loaded_at:%Y-%m-%d})"


# Drafts, review and scheduling live in their own module; importing them here
# registers them with the `roadmaps` app.
from .workflow.models import Draft, DraftEvent, Schedule  # noqa: E402, F401
