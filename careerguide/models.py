"""Site-wide pages (About, methodology, privacy, imprint), edited in the admin."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from roadmaps.ordering import Ordered, position_field, unique_position


class SitePageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SitePage(Ordered, models.Model):
    ABOUT = "about"
    METHODOLOGY = "methodology"
    PRIVACY = "privacy"
    IMPRINT = "imprint"
    # The footer links to these slugs; other slugs are allowed for extra pages.
    FOOTER = [ABOUT, METHODOLOGY, PRIVACY, IMPRINT]

    slug = models.SlugField(
        unique=True,
        help_text="The page's address: /about/ for 'about'. The footer links to about, "
        "methodology, privacy and imprint.",
    )
    title = models.CharField(max_length=120, help_text="The page's heading and browser title.")
    description = models.CharField(
        max_length=200, help_text="The search result snippet (140–160 characters)."
    )
    body = models.TextField(
        help_text="Markdown: blank lines between paragraphs, '## ' for a subheading, "
        "[text](https://…) for a link. HTML is removed."
    )
    is_published = models.BooleanField(default=True)
    position = position_field("Order among the site pages: lower numbers come first.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    content_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = "site page"
        constraints = [unique_position("sitepage_position", what="site page")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.content_changed_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("site_page", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)
