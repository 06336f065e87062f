"""Drafts in the admin: `DraftAdminMixin` puts a **Save draft** button on a
content model's add and change forms, shows the form *as the draft* when one
exists (with its history and the review buttons), and answers those buttons.

The admin's own form processing does the work. On "Save draft" the existing
draft is applied inside `services.rolled_back()`, the normal changeform view
validates and saves the form with its inline formsets, and the rows as they
then stand are captured as the draft's snapshot; the transaction is rolled
back, so the live tables never see any of it. Only `services.save_draft`
(outside that block) writes: the draft row and its history entry.

A draft of an item that is not live yet (saved from the add form) has no
change page; it is listed on the changelist ("Drafts of new items") and edited
at `<changelist>/draft/<id>/`.
"""

import contextlib
import contextvars
import hashlib
import json

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, transaction
from django.forms.models import _get_foreign_key
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from . import enforce, services, snapshot
from .models import Draft, DraftEvent

SCHEDULE_PERMISSION = "roadmaps.schedule_draft"
# Review messages and comments: a paragraph or two, not a document.
MESSAGE_MAX = 2000
ACTIONS = ("discard", "submit", "send_back", "approve", "publish")
# Steps only a publisher (or anyone, with REVIEW_REQUIRED off) may take.
PUBLISHER_ACTIONS = {"send_back", "approve", "publish"}

SAVED = "Draft saved. The public page is unchanged."
SAVED_FOR_REVIEW = (
    "This is published content, so your changes were saved as a draft: a publisher "
    "reviews it before it goes live. The public page is unchanged."
)
SAVED_TO_DRAFT = (
    "This item has a draft, so your changes were saved to it. The public page is unchanged."
)
STALE = (
    "The draft changed while you were editing (someone saved, published or discarded "
    "it), so your changes were not saved. They are still in the form below, over the "
    "item as it is now: check them, then save again."
)

BROKEN = (
    "This draft no longer fits the live content, so the form shows the live item. "
    "Discard the draft, or save it again from this form."
)
# What applying a draft the live rows have moved away from can raise.
APPLY_ERRORS = (
    DatabaseError,
    DeserializationError,
    FieldDoesNotExist,
    ValidationError,
    LookupError,
)

# The draft whose form is being rendered, so that "View on site" and the
# preview field link to the draft's preview. Set only inside the rolled-back render.
_rendering = contextvars.ContextVar("draft_rendering", default=None)


def admin_url(draft):
    """The admin page where a draft is edited: the item's change page, or the
    draft's own page for an item that is not live yet."""
    opts = draft.model._meta
    if draft.object_id is None:
        name = f"admin:{opts.app_label}_{opts.model_name}_draft"
        return reverse(name, args=[draft.pk])
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[draft.object_id])


# The staff previews: a guide's shows its stories' and figures' drafts too.
PREVIEWS = {"roadmaps.guide": "guide_preview", "careerguide.sitepage": "site_page_preview"}
ANCHORS = {"stories.story": "#story-{slug}", "salaries.salaryfigure": "#salaries"}


def root_fields(draft):
    """The fields of the draft's own row (the guide, story, figure or page) as drafted."""
    snap = snapshot.load(draft.data)
    rows = (d for d in snap["rows"] if f"{d['model']}:{d['pk']}" == snap["root"])
    return next(rows, {"fields": {}})["fields"]


def preview_url(draft):
    """The staff preview that shows the draft, or None."""
    from roadmaps.models import Guide

    label = draft.model._meta.label_lower
    fields = root_fields(draft)
    if label in PREVIEWS:
        return reverse(PREVIEWS[label], kwargs={"slug": fields.get("slug")})
    slug = Guide.objects.filter(pk=fields.get("guide")).values_list("slug", flat=True).first()
    if slug is None:
        return None
    anchor = ANCHORS.get(label, "").format(slug=fields.get("slug", ""))
    return reverse("guide_preview", kwargs={"slug": slug}) + anchor


def version(draft):
    """Which edit of the draft a form was rendered from (see `_translate`)."""
    return hashlib.blake2b(draft.data.encode(), digest_size=8).hexdigest()


def apply_with_map(draft):
    """Apply the draft inside the caller's rolled-back transaction. Returns the
    root object and {snapshot key: key as applied} of the rows the draft adds.

    Rows a draft adds get fresh ids every time it is applied (PostgreSQL never
    hands an id out twice), so the ids a form was rendered with are not the ids
    of the next application; the map lets the form's POST be translated."""
    snap = snapshot.load(draft.data)
    ids = {}
    root = snapshot.apply(snap, ids)
    mapping = {}
    for d in snap["rows"]:
        if d["new"]:
            old = f"{d['model']}:{d['pk']}"
            mapping[old] = f"{d['model']}:{ids[old]}"
    return root, mapping


def _message(request):
    return request.POST.get("message", "").strip()


class DraftAdminMixin:
    """Drafts on a ModelAdmin's forms. List it first among the bases, so that
    its changeform view wraps the others' (reversion's revision included: the
    revision of a draft save is rolled back with everything else)."""

    draft_change_form_template = "admin/workflow/change_form.html"
    draft_change_list_template = "admin/workflow/change_list.html"

    # -- who may do what

    def can_publish_drafts(self, request):
        return enforce.can_publish(request.user)

    def can_schedule_drafts(self, request):
        return request.user.has_perm(SCHEDULE_PERMISSION)

    def _may_edit(self, request, draft):
        live = draft.live_object()
        if live is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, live)

    # -- lookups

    def _pk(self, object_id):
        if object_id is None:
            return None
        try:
            return self.opts.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError):
            return None

    def _live(self, object_id):
        pk = self._pk(object_id)
        if pk is None:
            return None
        return self.model._default_manager.filter(pk=pk).first()

    def _draft_for(self, object_id):
        pk = self._pk(object_id)
        return services.draft_of(self.model, pk) if pk is not None else None

    def _get_draft(self, draft_id):
        ct = ContentType.objects.get_for_model(self.model)
        draft = Draft.objects.filter(pk=draft_id, content_type=ct).first()
        if draft is None:
            raise Http404("No such draft")
        return draft

    def _url(self, name, *args):
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )

    # -- URLs

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "draft/<int:draft_id>/", view(self.new_draft_view), name="{}_{}_draft".format(*info)
            ),
            path(
                "draft/<int:draft_id>/<slug:action>/",
                view(self.draft_action_view),
                name="{}_{}_draft_action".format(*info),
            ),
            *super().get_urls(),
        ]

    # -- the form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if extra_context and (extra_context.get("revert") or extra_context.get("recover")):
            # django-reversion's revert and recover pages reuse this view on a
            # reverted copy of the live rows: they are live writes, not drafts.
            return super().changeform_view(request, object_id, form_url, extra_context)
        draft = self._draft_for(object_id)
        if request.method == "POST":
            reason = self._draft_reason(request, object_id, draft)
            if reason:
                return self._save_as_draft(
                    request, object_id, draft, reason, form_url, extra_context
                )
            return super().changeform_view(request, object_id, form_url, extra_context)
        if draft is None:
            extra_context = {**(extra_context or {}), "draft_save_button": True}
            return super().changeform_view(request, object_id, form_url, extra_context)
        return self._render_draft(request, draft, object_id, form_url, extra_context)

    def new_draft_view(self, request, draft_id, extra_context=None):
        """The form of a draft of an item that is not live yet."""
        draft = self._get_draft(draft_id)
        if draft.object_id is not None:
            return HttpResponseRedirect(admin_url(draft))
        if not self._may_edit(request, draft):
            raise PermissionDenied
        if request.method == "POST":
            return self._save_as_draft(request, None, draft, "draft", "", extra_context)
        return self._render_draft(request, draft, None, "", extra_context)

    def _draft_reason(self, request, object_id, draft):
        """Why this POST saves a draft rather than writing live, or None."""
        if draft is not None:
            return "draft" if "_save_draft" in request.POST else "has_draft"
        if "_draft_version" in request.POST:
            return "stale"  # rendered from a draft that is gone now
        if "_save_draft" in request.POST:
            return "draft"
        if self._review_needed(request, object_id):
            return "review"
        return None

    def _review_needed(self, request, object_id):
        """A plain Save by an editor on published content (as it is, or as the
        form would make it) waits for review when REVIEW_REQUIRED is on."""
        if self.can_publish_drafts(request):
            return False
        live = self._live(object_id)
        if enforce.is_live(live):
            return True
        posted = self.model()
        fields = {f.name for f in self.opts.concrete_fields}
        if "is_published" in fields:
            posted.is_published = request.POST.get("is_published") == "on"
        if "guide" in fields:
            try:
                posted.guide_id = int(request.POST.get("guide", ""))
            except ValueError:
                posted.guide_id = None
        return enforce.is_live(posted)

    def _render_draft(self, request, draft, object_id, form_url, extra_context):
        """The form as the draft: rendered inside the rolled-back block, with the
        draft applied, so every field and inline row shows the draft's value."""
        with services.rolled_back():
            try:
                with transaction.atomic():
                    root, mapping = apply_with_map(draft)
            except APPLY_ERRORS as exc:
                # The live rows moved away from the draft (a slug taken since,
                # say): show the live form, and say why, rather than fail.
                messages.error(request, f"{BROKEN} ({exc})")
                if object_id is None:
                    return HttpResponseRedirect(self._url("changelist"))
                root, mapping = None, {}
            token = _rendering.set(draft)
            try:
                response = super().changeform_view(
                    request,
                    object_id if object_id is not None else str(root.pk),
                    form_url,
                    self._draft_context(request, draft, mapping, extra_context),
                )
                _render(response)
            finally:
                _rendering.reset(token)
        return response

    def _save_as_draft(self, request, object_id, draft, reason, form_url, extra_context):
        if reason == "stale" or (
            draft is not None and request.POST.get("_draft_version") != version(draft)
        ):
            return self._stale_draft_form(request, object_id, draft, form_url, extra_context)
        live_obj = self._live(object_id)
        live = snapshot.live_hashes(live_obj)
        request._draft_capture = True
        token = _rendering.set(draft)
        try:
            with services.rolled_back():
                mapping = {}
                if draft is not None:
                    root, mapping = apply_with_map(draft)
                    if object_id is None:
                        object_id = str(root.pk)
                    self._translate(request, mapping)
                response = super().changeform_view(
                    request,
                    object_id,
                    form_url,
                    self._draft_context(request, draft, mapping, extra_context),
                )
                obj = getattr(request, "_draft_saved", None)
                if obj is None:  # invalid: the form again, with its errors
                    _render(response)
                    return response
                text = snapshot.capture(obj, live.keys())
                obj_repr = str(obj)
        finally:
            _rendering.reset(token)
        if draft is not None and draft.object_id is None:
            draft = services.save_draft(
                draft=draft,
                model=self.model,
                object_id=None,
                text=text,
                live={},
                user=request.user,
                obj_repr=obj_repr,
            )
        else:
            draft = services.save_draft(
                model=self.model,
                object_id=live_obj.pk if live_obj else None,
                text=text,
                live=live,
                user=request.user,
                obj_repr=obj_repr,
            )
        text = {"review": SAVED_FOR_REVIEW, "has_draft": SAVED_TO_DRAFT}.get(reason, SAVED)
        messages.success(request, text)
        return HttpResponseRedirect(admin_url(draft))

    def _stale_draft_form(self, request, object_id, draft, form_url, extra_context):
        """The draft changed (or went) since the form was loaded: nothing is
        saved, and the form comes back with the editor's input, as the draft
        (or the live item) is now, saying who changed the draft and when.
        The form then carries the current draft version: saving again replaces
        the other changes knowingly."""
        request._edit_refused = _stale_message(self.model, object_id, draft)
        request._draft_capture = True  # should the form validate, nothing is kept
        token = _rendering.set(draft)
        try:
            with services.rolled_back():
                mapping = {}
                if draft is not None:
                    try:
                        with transaction.atomic():
                            root, mapping = apply_with_map(draft)
                    except APPLY_ERRORS:
                        root, mapping = None, {}
                    if object_id is None and root is not None:
                        object_id = str(root.pk)
                    self._translate(request, mapping)
                if object_id is None:  # a new item's draft that is gone
                    messages.error(request, request._edit_refused)
                    return HttpResponseRedirect(self._url("changelist"))
                response = super().changeform_view(
                    request,
                    object_id,
                    form_url,
                    self._draft_context(request, draft, mapping, extra_context),
                )
                _render(response)
        finally:
            _rendering.reset(token)
        return response

    def _translate(self, request, mapping):
        """Point the POSTed inline rows (and their parent) at the ids the draft's
        rows have in this application (`apply_with_map`)."""
        try:
            shown = json.loads(request.POST.get("_draft_rows") or "{}")
        except ValueError:
            shown = {}
        if not isinstance(shown, dict):
            return
        moved = {k: mapping[v] for k, v in shown.items() if isinstance(v, str) and v in mapping}
        if not moved:
            return
        data = request.POST.copy()
        for inline in self.inlines:
            fk = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            prefix = fk.remote_field.get_accessor_name(model=inline.model).replace("+", "")
            try:
                total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
            except ValueError:
                continue
            fields = [
                (inline.model._meta.pk.name, inline.model._meta.label_lower),
                (fk.name, self.opts.label_lower),
            ]
            for n in range(total):
                for field, label in fields:
                    name = f"{prefix}-{n}-{field}"
                    new = moved.get(f"{label}:{data.get(name)}")
                    if new:
                        data[name] = new.rsplit(":", 1)[1]
        request.POST = data

    # The admin's own success responses are replaced by the draft's: in draft
    # mode the saved object is only kept for `capture`.

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_draft_capture", False):
            request._draft_saved = obj
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_draft_capture", False):
            request._draft_saved = obj
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _draft_context(self, request, draft, mapping, extra_context):
        ctx = {**(extra_context or {}), "draft_save_button": True}
        if draft is None:
            return ctx
        schedule_url = None
        if self.can_schedule_drafts(request):
            with contextlib.suppress(NoReverseMatch):  # the scheduling page is optional
                schedule_url = reverse("admin:roadmaps_schedule_add") + f"?draft={draft.pk}"
        ctx.update(
            draft=draft,
            draft_events=list(draft.events.select_related("user")),
            draft_version=version(draft),
            # Keys of the draft's new rows as this form shows them -> as saved.
            draft_rows=json.dumps({shown: saved for saved, shown in mapping.items()}),
            draft_urls={a: self._url("draft_action", draft.pk, a) for a in ACTIONS},
            draft_preview_url=preview_url(draft),
            draft_can_publish=self.can_publish_drafts(request),
            draft_schedule_url=schedule_url,
            draft_is_new=draft.object_id is None,
            # The form edits the draft: only "Save draft" saves it.
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
        )
        if draft.object_id is None:
            ctx["show_delete"] = False
        return ctx

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        _wrap(response, self.draft_change_form_template, "base_change_form_template")
        return response

    def get_view_on_site_url(self, obj=None):
        draft = _rendering.get()
        if draft is not None:
            return preview_url(draft) or super().get_view_on_site_url(obj)
        return super().get_view_on_site_url(obj)

    # -- the changelist: drafts of new items on top

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            ct = ContentType.objects.get_for_model(self.model)
            drafts = Draft.objects.filter(content_type=ct, object_id__isnull=True)
            response.context_data["new_drafts"] = [
                (d, admin_url(d)) for d in drafts.select_related("updated_by")
            ]
            _wrap(response, self.draft_change_list_template, "base_change_list_template")
        return response

    # -- a deleted item takes its draft with it

    def delete_model(self, request, obj):
        draft = services.draft_of(self.model, obj.pk)
        super().delete_model(request, obj)
        if draft is not None:
            services.discard(draft, request.user)

    def delete_queryset(self, request, queryset):
        ct = ContentType.objects.get_for_model(self.model)
        ids = list(queryset.values_list("pk", flat=True))
        drafts = list(Draft.objects.filter(content_type=ct, object_id__in=ids))
        super().delete_queryset(request, queryset)
        for draft in drafts:
            services.discard(draft, request.user)

    # -- the preview field

    def draft_preview_link(self, label="Preview the draft as the public will see it"):
        """For the readonly "Preview" field: a link to the draft's preview while
        its form is shown, else None (the field shows its usual link)."""
        draft = _rendering.get()
        url = preview_url(draft) if draft is not None else None
        if url is None:
            return None
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)

    # -- the review buttons

    def draft_action_view(self, request, draft_id, action):
        """POST only: one of the draft's buttons (`ACTIONS`)."""
        if action not in ACTIONS:
            raise Http404("No such step")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        draft = self._get_draft(draft_id)
        if action in PUBLISHER_ACTIONS:
            if not self.can_publish_drafts(request):
                raise PermissionDenied
        elif not self._may_edit(request, draft):
            raise PermissionDenied
        message = _message(request)
        if len(message) > MESSAGE_MAX:
            messages.error(request, f"Keep the message under {MESSAGE_MAX} characters.")
            return HttpResponseRedirect(admin_url(draft))
        return getattr(self, f"_draft_{action}")(request, draft, message)

    def _after(self, request, draft, obj=None):
        """Back to the item's change page (the changelist once it is gone)."""
        if obj is not None:
            return HttpResponseRedirect(self._url("change", obj.pk))
        if draft.object_id is not None and draft.live_object() is not None:
            return HttpResponseRedirect(self._url("change", draft.object_id))
        return HttpResponseRedirect(self._url("changelist"))

    def _draft_discard(self, request, draft, message):
        services.discard(draft, request.user)
        messages.success(request, "Draft discarded. The item stays as it is live.")
        return self._after(request, draft)

    def _draft_submit(self, request, draft, message):
        if draft.state != Draft.State.DRAFT:
            messages.info(request, f"The draft is already {draft.get_state_display().lower()}.")
        else:
            services.submit(draft, request.user, message)
            messages.success(request, "Submitted for review: a publisher will look at it.")
        return HttpResponseRedirect(admin_url(draft))

    def _draft_send_back(self, request, draft, message):
        if draft.state == Draft.State.DRAFT:
            messages.error(request, "Only a draft waiting for review or approved can be sent back.")
        elif not message:
            messages.error(request, "Say what needs changing: the comment is required.")
        else:
            services.send_back(draft, request.user, message)
            messages.success(request, "Sent back to the editor with your comment.")
        return HttpResponseRedirect(admin_url(draft))

    def _draft_approve(self, request, draft, message):
        services.approve(draft, request.user, message)
        messages.success(request, "Approved. Publish it now or schedule it.")
        return HttpResponseRedirect(admin_url(draft))

    def _draft_publish(self, request, draft, message):
        confirmed = request.POST.get("confirm") == "1"
        try:
            obj = services.publish(draft, request.user, confirmed=confirmed)
        except services.Conflict as conflict:
            return self._conflict_page(request, draft, conflict.rows)
        except IntegrityError:
            messages.error(
                request,
                "Not published: something live now has the same name or address as a row "
                "this draft adds. Rename it in the draft, save the draft, and publish again.",
            )
            return HttpResponseRedirect(admin_url(draft))
        messages.success(request, "Published. The public page shows the change now.")
        return self._after(request, draft, obj)

    def _conflict_page(self, request, draft, rows):
        """What changed live since the draft started, beside the draft's values;
        publishing goes ahead only on a confirming POST (`confirm=1`)."""
        snap = snapshot.load(draft.data)
        in_draft = {f"{d['model']}:{d['pk']}": d["fields"] for d in snap["rows"]}
        listed = []
        for key, kind in rows:
            listed.append(
                {
                    "label": snapshot.describe(key),
                    "kind": kind,
                    "deleted_in_draft": key in snap["deleted"],
                    "fields": _differences(key, in_draft.get(key)),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish {draft.object_repr}?",
            "opts": self.opts,
            "draft": draft,
            "rows": listed,
            "publish_url": self._url("draft_action", draft.pk, "publish"),
            "back_url": admin_url(draft),
        }
        return TemplateResponse(request, "admin/workflow/conflict.html", context)


def _stale_message(model, object_id, draft):
    """STALE, naming the latest step of the item's draft history (who, when)."""
    from roadmaps import versioncheck

    ct = ContentType.objects.get_for_model(model)
    events = DraftEvent.objects.filter(content_type=ct).select_related("user")
    if draft is not None:
        events = events.filter(draft=draft)
    elif object_id is not None:
        events = events.filter(object_id=object_id)
    else:
        events = events.none()
    event = events.first()
    if event is None:
        return STALE
    who = versioncheck.name(event.user) if event.user else "The schedule runner"
    what = event.get_action_display().lower()
    return f"{STALE} ({who}: {what}, at {versioncheck.when(event.at)}.)"


def _differences(key, draft_fields):
    """[(field, live value, draft value)] of the fields that differ."""
    label, pk = key.rsplit(":", 1)
    live = apps.get_model(label)._default_manager.filter(pk=pk).first()
    if live is None or draft_fields is None:
        return []
    model = type(live)
    live_fields = json.loads(serializers.serialize("json", [live]))[0]["fields"]
    found = []
    for name, value in live_fields.items():
        if name in snapshot.VOLATILE or draft_fields.get(name) == value:
            continue
        verbose = model._meta.get_field(name).verbose_name
        found.append((verbose, _short(value), _short(draft_fields.get(name))))
    return found


def _short(value):
    return Truncator("" if value is None else str(value)).chars(300)


def _render(response):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()


def _wrap(response, template, base_name):
    """Render with our template, which extends the one the admin chose."""
    if not isinstance(response, TemplateResponse):
        return
    names = response.template_name
    names = [names] if isinstance(names, str) else list(names)
    response.context_data[base_name] = select_template(names)
    response.template_name = template
