"""Shared admin behaviour for every content model: history and recovery
(django-reversion), publish/unpublish actions, review enforcement and
freshness helpers.

With review required (`settings.REVIEW_REQUIRED`, on unless turned off), an
editor's write to live content is refused with 403 on every path this admin
offers: list edits, the publish/unpublish actions, deletes, reverts and
recoveries (`roadmaps.workflow.enforce`). The change form's Save is left to the
draft workflow, which captures it in a rolled-back transaction instead.
"""

import contextvars
import functools

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from .signals import guides_changed
from .workflow import enforce, services

# Set while a change list handles a request, so that `save_model` knows a save
# comes from a list edit (not from the change form, whose Save becomes a draft).
_in_changelist = contextvars.ContextVar("in_changelist", default=False)

PUBLISHING_ACTIONS = ("publish", "unpublish")
PUBLISHERS_ONLY = "Only publishers publish and unpublish: submit a draft for review instead."


def refused_response(request, refused, modeladmin):
    """The 403 page of a refused live write, in the admin, saying why."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Not without review",
        "message": refused.args[0] if refused.args else enforce.MESSAGE,
        "opts": opts,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/workflow/refused.html", context, status=403)


def _answering_refusals(view):
    """Answer a refused live write with `refused_response`. Outside the view's
    transactions, which the refusal has already rolled back."""

    @functools.wraps(view)
    def wrapper(self, request, *args, **kwargs):
        try:
            return view(self, request, *args, **kwargs)
        except enforce.LiveWriteRefused as refused:
            return refused_response(request, refused, self)

    return wrapper


def _require_publishing_action_allowed(modeladmin, request):
    """The publish/unpublish actions are hidden from editors (and Django would
    answer a forged POST with "No action selected", or ignore it when the user
    has no action at all): refuse it plainly instead. The chosen action is the
    one of the form whose button was pushed, as Django reads it."""
    try:
        chosen = request.POST.getlist("action")[int(request.POST.get("index", 0))]
    except (IndexError, ValueError):
        return
    if chosen in PUBLISHING_ACTIONS and not modeladmin.has_publish_permission(request):
        raise enforce.LiveWriteRefused(PUBLISHERS_ONLY)


class ContentAdmin(VersionAdmin):
    """Every save, list edit and deletion is a revision attributed to the user:
    history shows who changed what and when, and deleted rows can be recovered."""

    history_latest_first = True
    # Whether saves from this admin's own change form are checked too. Off here:
    # the change forms of guides, stories and figures save drafts of live
    # content. Admins whose change form writes live rows directly turn it on.
    review_change_form = False

    def has_publish_permission(self, request):
        """The publish/unpublish actions: publishers (or everyone, review off)."""
        return enforce.can_publish(request.user)

    @_answering_refusals
    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "_save" not in request.POST:
            _require_publishing_action_allowed(self, request)
        token = _in_changelist.set(True)
        try:
            return super().changelist_view(request, extra_context)
        finally:
            _in_changelist.reset(token)

    @_answering_refusals
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @_answering_refusals
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    @_answering_refusals
    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        # With the delete permission otherwise, say why it is refused.
        if obj is not None and super().has_delete_permission(request, obj):
            enforce.require_write_live(request.user, obj)
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        if self.review_change_form or _in_changelist.get():
            enforce.require_write_live(request.user, obj)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Per object: the delete page, the confirmation of a bulk delete and the
        # change form's Delete link all ask this, so all of them refuse.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or enforce.may_write_live(request.user, obj)

    def delete_model(self, request, obj):
        enforce.require_write_live(request.user, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            enforce.require_write_live(request.user, obj)
        super().delete_queryset(request, queryset)

    @_answering_refusals
    def revision_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
            _require_revert(request.user, version)
        return super().revision_view(request, object_id, version_id, extra_context)

    @_answering_refusals
    def recover_view(self, request, version_id, extra_context=None):
        if request.method == "POST":
            _require_revert(request.user, get_object_or_404(Version, pk=version_id))
        return super().recover_view(request, version_id, extra_context)


def _require_revert(user, version):
    """Reverting writes every row of the version's revision (a guide's revision
    holds its inline rows too): each must be writable as it is now and as it
    will be once reverted."""
    for row in version.revision.version_set.all():
        model = row.content_type.model_class()
        if model is None:
            continue
        current = model._default_manager.filter(pk=row.object_id).first()
        try:
            reverted = row._object_version.object
        except RevertError:
            reverted = None  # reversion itself reports a version it cannot read
        enforce.require_write_live(user, reverted, before=current, check_stored=False)


@admin.action(description="Publish the selected rows", permissions=["publish"])
def publish(modeladmin, request, queryset):
    _set_published(modeladmin, request, queryset, True)


@admin.action(
    description="Unpublish the selected rows (they become drafts)", permissions=["publish"]
)
def unpublish(modeladmin, request, queryset):
    from .models import Guide

    if issubclass(modeladmin.model, Guide) and request.POST.get("confirm") != "yes":
        live = [guide for guide in queryset if guide.is_published]
        if live:
            return unpublish_confirmation(modeladmin, request, queryset, live)
    _set_published(modeladmin, request, queryset, False)
    return None


def _set_published(modeladmin, request, queryset, value):
    rows = [obj for obj in queryset if obj.is_published != value]
    # Every row is checked before any is written: all or nothing.
    for obj in rows:
        obj.is_published = value
        enforce.require_write_live(request.user, obj)
    # One by one, not with update(): each change is a revision with its author
    # and a history event, and the signals move the guides' dates and the stamp.
    for obj in rows:
        services.set_published(obj, value, user=request.user)
    if rows:
        guides_changed()
    state = "published" if value else "unpublished"
    modeladmin.message_user(request, f"{len(rows)} row(s) {state}.", messages.SUCCESS)


# Unpublishing a live guide: first a page listing every address that will
# answer 404 afterwards.

GUIDE_URL_LABELS = {
    "guide": "The guide",
    "plan": "Its personalized plan",
    "guide_card": "Its social card image",
}
# Salary pages, should they exist: reversed if the URL names are defined.
OPTIONAL_GUIDE_URLS = {
    "guide_salaries": "Its salary page",
    "salaries": "Its salary page",
    "guide_salaries_csv": "Its salary figures (CSV)",
    "salaries_csv": "Its salary figures (CSV)",
}


def _guide_url_names():
    """Named public URL patterns under the guide's own address (from the URL
    patterns, so a page added under /careers/<slug>/ is listed too)."""
    patterns = [p for p in get_resolver().url_patterns if getattr(p, "name", None)]
    prefix = next((str(p.pattern) for p in patterns if p.name == "guide"), None)
    names = [p.name for p in patterns if prefix and str(p.pattern).startswith(prefix)]
    return [*names, *(n for n in OPTIONAL_GUIDE_URLS if n not in names)]


def _absolute(path):
    return settings.SITE_URL + path


def urls_answering_404(guides):
    """[(guide, [(label, url)])] for guides about to be unpublished, then
    ("People", [...]) for reviewers left with no published guide."""
    from .models import Guide, Person

    listed = []
    for guide in guides:
        urls = []
        for name in _guide_url_names():
            try:
                path = reverse(name, kwargs={"slug": guide.slug})
            except NoReverseMatch:
                continue
            label = GUIDE_URL_LABELS.get(name) or OPTIONAL_GUIDE_URLS.get(name) or name
            urls.append((label, _absolute(path)))
        listed.append((str(guide), urls))
    ids = [guide.pk for guide in guides]
    others = Guide.objects.published().exclude(pk__in=ids)
    people = (
        Person.objects.filter(reviewed_guides__in=ids)
        .exclude(reviewed_guides__in=others)
        .distinct()
        .order_by("name")
    )
    person_urls = [
        (f"{person.name}'s profile", _absolute(reverse("person", kwargs={"slug": person.slug})))
        for person in people
    ]
    if person_urls:
        listed.append(("People", person_urls))
    return listed


def unpublish_confirmation(modeladmin, request, queryset, live):
    """The intermediate page of the `unpublish` action on guides."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Unpublish guides?",
        "opts": opts,
        "live": live,
        "listed": urls_answering_404(live),
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/workflow/unpublish_confirm.html", context)


def preview_link(url_name, slug, anchor="", label="Preview as the public will see it"):
    """An admin link to the staff-only preview of a guide (drafts included)."""
    try:
        url = reverse(url_name, kwargs={"slug": slug}) + anchor
    except NoReverseMatch:
        return "–"
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)
