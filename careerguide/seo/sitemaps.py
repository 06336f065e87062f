"""sitemap.xml: every published public page, dated by its own content stamp."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from roadmaps.models import Guide, Person

from ..models import SitePage


class SiteSitemap(Sitemap):
    """Absolute URLs on SITE_URL, never on the request's Host header."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class HomeSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        latest = Guide.objects.published().order_by("-content_changed_at").first()
        return latest.content_changed_at if latest else None


class GuideSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.9

    def items(self):
        return Guide.objects.published().order_by("position", "name")

    def lastmod(self, guide):
        return guide.content_changed_at


class PlanSitemap(GuideSitemap):
    """The plan form of each guide (plans themselves, with answers, are noindex)."""

    priority = 0.5

    def location(self, guide):
        return reverse("plan", kwargs={"slug": guide.slug})


class SalarySitemap(GuideSitemap):
    """The salary page of each guide (the CSV download is linked from it)."""

    priority = 0.6

    def location(self, guide):
        return reverse("guide_salaries", kwargs={"slug": guide.slug})


class SitePageSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return SitePage.objects.published()

    def lastmod(self, page):
        return page.content_changed_at


class PersonSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.2

    def items(self):
        return Person.objects.filter(reviewed_guides__is_published=True).distinct()

    def location(self, person):
        return reverse("person", kwargs={"slug": person.slug})

    def lastmod(self, person):
        return person.updated_at


SITEMAPS = {
    "home": HomeSitemap,
    "guides": GuideSitemap,
    "plans": PlanSitemap,
    "salaries": SalarySitemap,
    "pages": SitePageSitemap,
    "people": PersonSitemap,
}
