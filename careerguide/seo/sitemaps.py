"""sitemap.xml: every published public page, dated by its own content stamp."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import reverse
from django.views.decorators.http import require_safe

from roadmaps.models import Guide, Person

from ..http.cache import cacheable
from ..http.conditional import with_validators
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


@require_safe
@cacheable
def sitemap_xml(request):
    """Django's sitemap view, shared like any public page: kept in the page
    cache until the content stamp moves (an edit), and at the edge for a second;
    with the pages' weak ETag and revalidation (its Last-Modified is Django's)."""
    # Our template keeps lastmod's time of day: it is the content stamp.
    response = sitemap(request, sitemaps=SITEMAPS, template_name="careerguide/sitemap.xml")
    response.render()
    return with_validators(request, response, last_modified=None)
