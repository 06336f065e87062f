"""Site-wide views. Each reads its page through one query function in `pages`."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from roadmaps.plan.build import build_plan
from roadmaps.plan.forms import PlanForm, split_skills

from . import pages
from .http.cache import cacheable
from .http.conditional import with_validators
from .seo import jsonld, social

OG_IMAGE_ALT = "{title}: the Career Guide card with its key facts"
SITE_DESCRIPTION = (
    "Step-by-step guides to moving into a tech profession: roadmaps month by month, "
    "salaries with their sources, skills and real career-change stories."
)


def og_image(url, alt):
    return {"url": jsonld.absolute(url), "width": 1200, "height": 630, "alt": alt}


def site_og_image():
    return og_image(reverse("site_card"), "Career Guide: move into a tech profession, step by step")


def meta(title, description, og_type="website"):
    """Title, description and Open Graph type for base.html's <head>."""
    return {"title": title, "description": description, "og_type": og_type}


@require_safe
@cacheable
def home(request):
    page = pages.home_page()
    response = render(
        request,
        "careerguide/home.html",
        {
            "featured": page.featured,
            "guides": page.others,
            "og_image": site_og_image(),
            "meta": meta("Career Guide: how to move into a tech profession", SITE_DESCRIPTION),
        },
    )
    return with_validators(request, response, page.last_modified)


@require_safe
@cacheable
def guide(request, slug):
    try:
        page = pages.guide_page(slug)
    except Http404:
        target = pages.guide_redirect(slug)
        if target is None:
            raise
        return redirect(target, permanent=True)
    response = render_guide(request, page)
    return with_validators(request, response, page.guide.content_changed_at)


@require_safe
@staff_member_required
def guide_preview(request, slug):
    """Staff only: the guide exactly as the public page will look, with its
    drafts (the guide itself, stories, figures) in place. Never cached."""
    page = pages.guide_page(slug, include_drafts=True)
    response = render_guide(request, page, preview=True)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def render_guide(request, page, preview=False):
    slug = page.guide.slug
    image = og_image(
        reverse("guide_card", kwargs={"slug": slug}), OG_IMAGE_ALT.format(title=page.guide.title)
    )
    return render(
        request,
        "careerguide/guide.html",
        {
            "page": page,
            "guide": page.guide,
            "og_image": image,
            "json_ld": jsonld.to_script(jsonld.guide_graph(page, image["url"])),
            "meta": meta(
                page.guide.seo_title or f"{page.guide.title} | Career Guide",
                page.guide.seo_description or f"{page.guide.headline} {page.guide.intro}",
                og_type="article",
            ),
            "preview": preview,
        },
    )


@require_safe
def plan(request, slug):
    """The personalized plan ("personalized roadmap" to visitors): a GET form;
    with answers, the plan itself.

    No session, no cookie and no CSRF token (nothing changes on the server);
    the answers stay in the query string, which is never logged."""
    ctx = pages.plan_page(slug)
    submitted = bool(request.GET)
    unknown = []
    form = PlanForm(ctx=ctx)
    result = None
    if submitted:
        data = request.GET.copy()
        known, unknown = split_skills(data.getlist("skills"), ctx)
        data.setlist("skills", known)
        form = PlanForm(data, ctx=ctx)
        if form.is_valid():
            result = build_plan(ctx, form.cleaned_data)
    response = render(
        request,
        "careerguide/plan.html",
        {
            "ctx": ctx,
            "guide": ctx.guide,
            "form": form,
            "plan": result,
            "unknown_skills": unknown,
            "submitted": submitted,
            "og_image": og_image(
                reverse("guide_card", kwargs={"slug": slug}),
                OG_IMAGE_ALT.format(title=ctx.guide.title),
            ),
            "meta": meta(
                f"Your personalized {ctx.guide.name} roadmap | Career Guide",
                f"Answer five questions and get a month-by-month plan to become a "
                f"{ctx.guide.name}: stages for your pace, next steps, salaries and stories.",
            ),
        },
    )
    # Plans are personal: not stored by browsers or shared caches.
    response["Cache-Control"] = "no-store" if submitted else "max-age=0, must-revalidate"
    return response


@require_safe
def guide_card(request, slug):
    guide, facts = pages.guide_card(slug)
    response = HttpResponse(social.card_for(guide, facts), content_type="image/png")
    return with_validators(
        request, response, guide.content_changed_at, cache_control="public, max-age=3600"
    )


@require_safe
def site_card(request):
    response = HttpResponse(social.draw_site_card(), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def site_page(request, slug):
    page = pages.site_page(slug)
    template = "careerguide/methodology.html" if slug == "methodology" else "careerguide/page.html"
    response = render(
        request,
        template,
        {
            "page": page,
            "og_image": site_og_image(),
            "meta": meta(f"{page.page.title} | Career Guide", page.page.description),
        },
    )
    return with_validators(request, response, page.last_modified)


@require_safe
def person(request, slug):
    page = pages.person_page(slug)
    response = render(
        request,
        "careerguide/person.html",
        {
            "page": page,
            "og_image": site_og_image(),
            "meta": meta(
                f"{page.person.name} | Career Guide",
                f"{page.person.name}, {page.person.role or 'reviewer'}, reviews Career Guide's "
                f"{', '.join(g.name for g in page.guides)} guide.",
                og_type="profile",
            ),
        },
    )
    return with_validators(request, response, page.last_modified)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; point them at the SVG."""
    return redirect(static("img/favicon.svg"), permanent=True)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /",
        f"Disallow: /{settings.ADMIN_URL}",
        "",
        f"Sitemap: {jsonld.absolute(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def not_found(request, exception=None):
    """The site's own 404: noindex, with links to the guides if the database answers."""
    return render(
        request,
        "404.html",
        {
            "guides": pages.guides_for_404(),
            "meta": meta("Page not found | Career Guide", "This page does not exist."),
        },
        status=404,
    )
