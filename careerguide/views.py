"""Site-wide views. Each reads its page through one query function in `pages`."""

import datetime
import functools
import json

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from roadmaps.models import Guide
from roadmaps.plan.build import build_plan
from roadmaps.plan.forms import PlanForm, split_skills
from roadmaps.workflow import admin as draft_admin
from roadmaps.workflow import services
from roadmaps.workflow.models import Draft
from salaries import dataset
from salaries.models import SalaryFigure
from stories.models import Story

from . import pages
from .http.cache import cacheable, shared_without_query
from .http.conditional import with_validators
from .models import SitePage
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
@cacheable
def guide_salaries(request, slug):
    """Every salary figure of a guide: the summary, the detail with its bars, the
    sources and the download, with the dataset's JSON-LD."""
    try:
        page = pages.salary_page(slug)
    except Http404:
        target = pages.guide_redirect(slug, "guide_salaries")
        if target is None:
            raise
        return redirect(target, permanent=True)
    guide = page.guide
    csv_url = reverse("guide_salaries_csv", kwargs={"slug": guide.slug})
    response = render(
        request,
        "careerguide/salaries.html",
        {
            "page": page,
            "guide": guide,
            "csv_url": csv_url,
            "og_image": og_image(
                reverse("guide_card", kwargs={"slug": guide.slug}),
                OG_IMAGE_ALT.format(title=guide.title),
            ),
            "json_ld": jsonld.to_script(jsonld.salary_graph(page, csv_url)),
            "meta": meta(
                f"{guide.name} salaries by country and grade, with sources | Career Guide",
                f"Every {guide.name.lower()} salary figure we publish, by country and grade: "
                "medians and percentiles as each source published them, with the source, "
                "data year and pay basis of every figure, and a free CSV download.",
            ),
        },
    )
    return with_validators(request, response, page.last_modified)


@require_safe
@cacheable
def guide_salaries_csv(request, slug):
    """The salary download: every published figure of the guide (`salaries.dataset`)."""
    try:
        guide, figures = pages.salary_dataset(slug)
    except Http404:
        target = pages.guide_redirect(slug, "guide_salaries_csv")
        if target is None:
            raise
        return redirect(target, permanent=True)
    response = HttpResponse(dataset.to_csv(guide, figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dataset.filename(guide)}"'
    return with_validators(request, response, guide.content_changed_at)


def render_guide(request, page, preview=None):
    """The guide page; with `preview` (the banner's drafts), the staff preview."""
    slug = page.guide.slug
    image = og_image(
        reverse("guide_card", kwargs={"slug": slug}), OG_IMAGE_ALT.format(title=page.guide.title)
    )
    context = {
        "page": page,
        "guide": page.guide,
        "og_image": image,
        "json_ld": jsonld.to_script(jsonld.guide_graph(page, image["url"])),
        "meta": meta(
            page.guide.seo_title or f"{page.guide.title} | Career Guide",
            page.guide.seo_description or f"{page.guide.headline} {page.guide.intro}",
            og_type="article",
        ),
    }
    return _render_page(request, "careerguide/guide.html", context, preview, page.guide)


def _render_page(request, template, context, preview, obj):
    if preview is None:
        return render(request, template, context)
    # The public template inside one that adds the banner and noindex.
    context.update(
        base_template=template, preview_banner=preview, public_url=obj.get_absolute_url()
    )
    return render(request, "careerguide/preview.html", context)


# Previews: staff only. Each applies the pending drafts inside a transaction that
# is always rolled back (`services.rolled_back`: the content stamp stays put too)
# and renders inside it, so the page is exactly what publishing will produce,
# and no live row, cache entry or date moves. Never cached.


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _drafts_of(model):
    return Draft.objects.filter(content_type=ContentType.objects.get_for_model(model))


def _target(model, slug):
    """(live id, draft of a new item) that /preview/…/<slug>/ shows: a draft
    giving the item this slug first (a renamed or new item), else the live item."""
    for draft in _drafts_of(model).filter(data__contains=json.dumps(slug)):
        if draft_admin.root_fields(draft).get("slug") == slug:
            return draft.object_id, draft if draft.object_id is None else None
    live = model.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if live is None:
        raise Http404("Nothing to preview")
    return live, None


def guide_drafts(guide_id):
    """The pending drafts a guide's page shows: the guide's own, then those of
    its stories and figures (new ones and ones moving onto this guide too)."""
    found = [d for d in [services.draft_of(Guide, guide_id)] if d]
    for model in (Story, SalaryFigure):
        live = set(model.objects.filter(guide_id=guide_id).values_list("pk", flat=True))
        for draft in _drafts_of(model).order_by("created_at", "pk"):
            if draft.object_id in live or draft_admin.root_fields(draft).get("guide") == guide_id:
                found.append(draft)
    return found


def _apply_all(drafts):
    """Apply each draft in a savepoint of its own: one that no longer fits the
    live rows (a slug taken since, say) is left out and listed, not a 500."""
    applied, failed, roots = [], [], {}
    for draft in drafts:
        try:
            with transaction.atomic():
                roots[draft.pk] = services.apply_draft(draft)
        except draft_admin.APPLY_ERRORS:
            failed.append(draft)
        else:
            applied.append(draft)
    return applied, failed, roots


def _banner(applied, failed):
    def listed(drafts):
        return [
            {
                "label": f"{d.model._meta.verbose_name.capitalize()}: {d.object_repr}",
                "state": d.get_state_display(),
                "url": draft_admin.admin_url(d),
            }
            for d in drafts
        ]

    return {"applied": listed(applied), "failed": listed(failed)}


def _preview(request, model, slug, drafts_of, render_page):
    """Render `slug`'s page with its pending drafts applied, in a transaction
    that is rolled back: the page as it will be, with nothing live changed.
    A new object (not live yet) is found through its draft."""
    obj_id, new_draft = _target(model, slug)
    drafts = [new_draft] if new_draft else drafts_of(obj_id)
    with services.rolled_back():
        applied, failed, roots = _apply_all(drafts)
        if new_draft:
            obj_id = getattr(roots.get(new_draft.pk), "pk", None)
        slug = model.objects.filter(pk=obj_id).values_list("slug", flat=True).first()
        if slug is None:
            raise Http404(f"No such {model._meta.verbose_name}")
        response = render_page(request, slug, _banner(applied, failed))
    return _private(response)


def staff_or_404(view):
    """Previews exist only for staff signed in as the admin requires (with
    their second factor): anyone else gets the site's 404, not a redirect to
    the admin's login, which would disclose a secret ADMIN_URL."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not admin.site.has_permission(request):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@staff_or_404
def guide_preview(request, slug):
    """The guide exactly as the public page will look once its pending drafts
    (the guide's, its stories' and its figures') are published."""
    return _preview(
        request,
        Guide,
        slug,
        guide_drafts,
        lambda request, slug, banner: render_guide(request, pages.guide_page(slug), banner),
    )


@require_safe
@staff_or_404
def site_page_preview(request, slug):
    """A site page exactly as it will look once its draft is published."""

    def drafts_of(page_id):
        draft = services.draft_of(SitePage, page_id)
        return [draft] if draft else []

    return _preview(
        request,
        SitePage,
        slug,
        drafts_of,
        lambda request, slug, banner: render_site_page(request, pages.site_page(slug), banner),
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
    if submitted:
        # Plans are personal: not stored by browsers or shared caches.
        response["Cache-Control"] = "no-store"
        return response
    # The empty form is the same for everyone: kept like the guide, but never
    # served to a request that carries answers.
    return shared_without_query(with_validators(request, response, ctx.guide.content_changed_at))


@require_safe
@cacheable
def guide_card(request, slug):
    guide, facts = pages.guide_card(slug)
    response = HttpResponse(social.card_for(guide, facts), content_type="image/png")
    return with_validators(
        request, response, guide.content_changed_at, cache_control="public, max-age=3600"
    )


@require_safe
@cacheable
def site_card(request):
    response = HttpResponse(social.draw_site_card(), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
@cacheable
def site_page(request, slug):
    page = pages.site_page(slug)
    response = render_site_page(request, page)
    return with_validators(request, response, page.last_modified)


def render_site_page(request, page, preview=None):
    """A site page; with `preview` (the banner's drafts), the staff preview."""
    methodology = page.page.slug == SitePage.METHODOLOGY
    template = "careerguide/methodology.html" if methodology else "careerguide/page.html"
    context = {
        "page": page,
        "og_image": site_og_image(),
        "meta": meta(f"{page.page.title} | Career Guide", page.page.description),
    }
    return _render_page(request, template, context, preview, page.page)


@require_safe
@cacheable
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
@cacheable
def robots_txt(request):
    # The admin's path is not named here: robots.txt is public, and a secret
    # ADMIN_URL would be disclosed. Admin responses say noindex themselves
    # (`careerguide.http.noindex`).
    lines = [
        "User-agent: *",
        "Allow: /",
        "",
        f"Sitemap: {jsonld.absolute(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@cacheable
def security_txt(request):
    """RFC 9116. `Expires` is computed (180 days ahead, to the day), so the file
    never goes stale; the contact comes from settings."""
    if not settings.SECURITY_CONTACT:
        raise Http404("No security contact is configured.")
    expires = (timezone.now() + datetime.timedelta(days=180)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Canonical: {jsonld.absolute(reverse('security_txt'))}",
        "Preferred-Languages: en",
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
