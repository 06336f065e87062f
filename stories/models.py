"""Career-transition stories: real people who moved into the profession."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from roadmaps.constraints import FieldCheckConstraint
from roadmaps.models import Background, ContentBlock, Skill


class StoryQuerySet(models.QuerySet):
    def published(self):
        """The one definition of a public story; its guide must be public too."""
        return self.filter(is_published=True, guide__is_published=True)

    def get_by_natural_key(self, guide, slug):
        return self.get(guide__slug=guide, slug=slug)


class Story(ContentBlock):
    slug = models.SlugField(help_text="Unique within the guide, e.g. 'olga-teacher'.")
    first_name = models.CharField(max_length=40, help_text="First name only, for privacy.")
    former_role = models.CharField(max_length=80, help_text="As they described it.")
    background = models.ForeignKey(
        Background,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        help_text="The closest reader background; the personalized plan matches on it.",
    )
    skills = models.ManyToManyField(
        Skill,
        blank=True,
        related_name="stories",
        help_text="Skills they already had or leaned on; used to match readers' plans.",
    )
    transition_months = models.PositiveSmallIntegerField(
        help_text="How many months the move took, as the teller gave it. The card says "
        "'Transition time, as they told it'; if the story says from when it counts "
        "(first lesson, first course), say so in the story."
    )
    hours_per_week = models.PositiveSmallIntegerField(
        "hours a week",
        null=True,
        blank=True,
        help_text="Study hours a week, only if they told us. Shown on the card ('10 h a week').",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The year the move ended (the first job offer), only if they told us. Shown "
        "on the card; readers weigh an old story against today's market.",
    )
    stack = models.CharField(
        max_length=80, blank=True, help_text="The language or stack they chose, e.g. 'Node.js'."
    )
    body = models.TextField("story", help_text="Plain text; a blank line starts a paragraph.")
    is_published = models.BooleanField(default=False, help_text="Drafts are hidden.")

    objects = StoryQuerySet.as_manager()

    class Meta(ContentBlock.Meta):
        verbose_name_plural = "stories"
        constraints = [
            *ContentBlock.Meta.constraints,
            models.UniqueConstraint(
                fields=["guide", "slug"],
                name="story_unique_slug",
                violation_error_message="This guide already has a story with that slug: "
                "choose another, e.g. add the former role.",
            ),
            FieldCheckConstraint(
                condition=Q(transition_months__gte=1) & Q(transition_months__lte=120),
                name="story_transition_months_range",
                field="transition_months",
                violation_error_message="Transition months must be between 1 and 120.",
            ),
            FieldCheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | (Q(hours_per_week__gte=1) & Q(hours_per_week__lte=100)),
                name="story_hours_range",
                field="hours_per_week",
                violation_error_message="Hours per week must be between 1 and 100, or empty.",
            ),
            FieldCheckConstraint(
                condition=Q(year__isnull=True) | (Q(year__gte=1990) & Q(year__lte=2100)),
                name="story_year_range",
                field="year",
                violation_error_message="The year must be between 1990 and 2100, or empty.",
            ),
        ]

    def __str__(self):
        return f"{self.first_name}, {self.former_role}"

    def get_absolute_url(self):
        return reverse("guide", kwargs={"slug": self.guide.slug}) + f"#story-{self.slug}"

    def natural_key(self):
        return (*self.guide.natural_key(), self.slug)

    natural_key.dependencies = ["roadmaps.guide"]
