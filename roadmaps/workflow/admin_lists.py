"""Admin lists of schedules and of the draft history.

Schedules are never edited: moving one is a cancel plus a new schedule, so the
list reads as the history of what was planned. Adding one starts from what it
acts on: `?draft=<id>` schedules publishing of an approved draft (link with
`publish_url(draft)`), `?expire=<app_label.model>:<pk>` schedules the expiry of
a live story, figure or site page (link with `expiry_url(obj)`). Both need the
`roadmaps.schedule_draft` permission; without it the pages answer 403.
"""

import datetime

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import scheduling
from .models import Draft, DraftEvent, Schedule

SCHEDULE_PERMISSION = "roadmaps.schedule_draft"


def publish_url(draft):
    """The admin page that schedules publishing of `draft`."""
    return reverse("admin:roadmaps_schedule_add") + f"?draft={draft.pk}"


def expiry_url(obj):
    """The admin page that schedules the expiry of a live story, figure or site page."""
    return reverse("admin:roadmaps_schedule_add") + f"?expire={obj._meta.label_lower}:{obj.pk}"


class ScheduleForm(forms.Form):
    run_at = forms.DateTimeField(
        # The browser's own date and time picker; no script needed.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        zone = now.tzname()
        field = self.fields["run_at"]
        field.label = f"When ({zone})"
        field.help_text = (
            f"Date and time in the site's time zone, {zone}; it is now "
            f"{scheduling.when(now)}. A time in the past is allowed: it takes effect on "
            "the next pass of the schedule runner, within a minute."
        )
        # The next full hour: the usual choice, and never in the past.
        field.initial = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["what", "action", "when", "state", "created_by", "note"]
    list_filter = ["state", "action"]
    list_select_related = ["content_type", "created_by"]
    search_fields = ["object_repr"]
    actions = ["cancel_selected"]
    fields = ["what", "action", "when", "state", "draft", "created_by", "created_at",
              "done_at", "error"]  # fmt: skip
    readonly_fields = fields

    # Schedules are created by the add view below and changed only by
    # cancelling or running them; they are kept as history, never deleted.
    def has_add_permission(self, request):
        return self.has_schedule_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_schedule_permission(self, request):
        return request.user.has_perm(SCHEDULE_PERMISSION)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self.has_schedule_permission(request):
            columns.append("cancel_link")
        return columns

    @admin.display(description="What", ordering="object_repr")
    def what(self, obj):
        return f"{obj.content_type.name.capitalize()}: {obj.object_repr}"

    @admin.display(description=f"When ({settings.TIME_ZONE})", ordering="run_at")
    def when(self, obj):
        return scheduling.when(obj.run_at)

    @admin.display(description="Note")
    def note(self, obj):
        return obj.error or ""

    @admin.display(description="Cancel")
    def cancel_link(self, obj):
        if obj.state != Schedule.State.PENDING:
            return ""
        url = reverse("admin:roadmaps_schedule_cancel", args=[obj.pk])
        return format_html('<a href="{}">Cancel…</a>', url)

    @admin.action(description="Cancel the selected pending schedules", permissions=["schedule"])
    def cancel_selected(self, request, queryset):
        cancelled = sum(
            scheduling.cancel(s, request.user)
            for s in queryset.filter(state=Schedule.State.PENDING)
        )
        self.message_user(request, f"{cancelled} schedule(s) cancelled.", messages.SUCCESS)

    def get_urls(self):
        # Before the default patterns, whose '<path:object_id>/' would match first.
        cancel = path(
            "<path:object_id>/cancel/",
            self.admin_site.admin_view(self.cancel_view),
            name="roadmaps_schedule_cancel",
        )
        return [cancel, *super().get_urls()]

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "has_view_permission": self.has_view_permission(request),
            "changelist_url": reverse("admin:roadmaps_schedule_changelist"),
            **extra,
        }

    def cancel_view(self, request, object_id):
        if not self.has_schedule_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not object_id.isdigit():
            raise Http404("No such schedule.")
        schedule = Schedule.objects.filter(pk=object_id).first()
        if schedule is None:
            raise Http404("No such schedule.")
        if request.method == "POST":
            if scheduling.cancel(schedule, request.user):
                self.message_user(request, f"Cancelled: {schedule}.", messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"Not cancelled: it is {schedule.get_state_display().lower()} already.",
                    messages.WARNING,
                )
            return HttpResponseRedirect(reverse("admin:roadmaps_schedule_changelist"))
        return TemplateResponse(
            request,
            "admin/workflow/schedule_cancel.html",
            self._context(request, title="Cancel a schedule", schedule=schedule),
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Schedule publishing (`?draft=`) or expiry (`?expire=`); without
        either, a page listing the approved drafts that can be scheduled."""
        if not self.has_schedule_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        kind, target = self._target(request)
        if kind is None:
            drafts = Draft.objects.filter(state=Draft.State.APPROVED).order_by("object_repr")
            return TemplateResponse(
                request,
                "admin/workflow/schedule_start.html",
                self._context(
                    request,
                    title="Schedule publishing or expiry",
                    drafts=[(d, publish_url(d)) for d in drafts],
                    expirable=self._expirable(),
                ),
            )
        form = ScheduleForm(request.POST if request.method == "POST" else None)
        check = scheduling.check_publish if kind == "publish" else scheduling.check_expiry
        problem = None
        try:
            check(target)
        except scheduling.NotSchedulable as exc:
            problem = str(exc)
        if request.method == "POST" and problem:
            form.add_error(None, problem)
        elif request.method == "POST" and form.is_valid():
            schedule_it = (
                scheduling.schedule_publish if kind == "publish" else scheduling.schedule_expiry
            )
            try:
                schedule = schedule_it(target, form.cleaned_data["run_at"], request.user)
            except scheduling.NotSchedulable as exc:
                # Changed since the check above (approved, say, in another tab).
                form.add_error(None, str(exc))
            else:
                self.log_addition(request, schedule, [{"added": {}}])
                self.message_user(request, f"Scheduled: {schedule}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:roadmaps_schedule_changelist"))
        return TemplateResponse(
            request,
            "admin/workflow/schedule_form.html",
            self._context(
                request,
                title="Schedule publishing" if kind == "publish" else "Schedule expiry",
                kind=kind,
                target=target,
                target_type=target._meta.verbose_name if kind == "expire" else "",
                form=form,
                # A bound form carries the problem among its own errors.
                problem=None if form.is_bound else problem,
            ),
        )

    def _expirable(self):
        """[(group name, [(live object, expiry url)])] for the start page."""
        groups = []
        for label in scheduling.EXPIRABLE:
            model = apps.get_model(label)
            live = model._default_manager.filter(is_published=True)
            if any(f.name == "guide" for f in model._meta.fields):
                # The guide names the item; a figure also names country and grade.
                related = ["guide"] + [
                    f.name for f in model._meta.fields if f.name in ("country", "grade")
                ]
                live = live.select_related(*related).order_by("guide__name", "pk")
            name = model._meta.verbose_name_plural.capitalize()
            groups.append((name, [(obj, expiry_url(obj)) for obj in live]))
        return groups

    def _target(self, request):
        """('publish', draft), ('expire', obj) or (None, None) from the query
        string. A malformed value is a 400, an unknown object a 404."""
        draft_id, expire = request.GET.get("draft"), request.GET.get("expire")
        if draft_id is not None and expire is not None:
            raise BadRequest("Schedule a draft or an expiry, not both.")
        if draft_id is not None:
            if not draft_id.isdigit():
                raise BadRequest("Not a draft id.")
            draft = Draft.objects.filter(pk=draft_id).first()
            if draft is None:
                raise Http404("No such draft: it was published or discarded.")
            return "publish", draft
        if expire is not None:
            label, _, pk = expire.rpartition(":")
            if label not in scheduling.EXPIRABLE or not pk.isdigit():
                raise BadRequest("Only a story, a salary figure or a site page can expire.")
            obj = apps.get_model(label)._default_manager.filter(pk=pk).first()
            if obj is None:
                raise Http404("No such item.")
            return "expire", obj
        return None, None


@admin.register(DraftEvent)
class DraftEventAdmin(admin.ModelAdmin):
    """Read-only: the history of every draft, kept after the draft is gone."""

    list_display = ["at", "action", "what", "user", "message"]
    list_filter = ["action", "user"]
    list_select_related = ["content_type", "user"]
    search_fields = ["object_repr", "message"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="What", ordering="object_repr")
    def what(self, obj):
        return f"{obj.content_type.name.capitalize()}: {obj.object_repr}"
