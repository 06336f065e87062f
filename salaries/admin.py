"""Admin for salary figures: edited in a list, filtered every useful way,
imported and exported in bulk, with stale figures flagged."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX

from roadmaps.admin_base import ContentAdmin, preview_link, publish, refused_response, unpublish
from roadmaps.importing import ImportUploadsMixin
from roadmaps.workflow import enforce
from roadmaps.workflow.admin import DraftAdminMixin

from . import resources
from .freshness import first_fresh_year, is_stale
from .models import Grade, ImportLog, SalaryFigure, Source
from .resources import NumberedCSV, SalaryFigureResource

reversion.register(SalaryFigure)
reversion.register(Grade)
reversion.register(Source)


class FreshnessFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "fresh"

    def lookups(self, request, model_admin):
        return [("stale", "Stale (needs a newer figure)"), ("fresh", "Fresh")]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.filter(data_year__lt=first_fresh_year())
        if self.value() == "fresh":
            return queryset.filter(data_year__gte=first_fresh_year())
        return queryset


@admin.register(Grade)
class GradeAdmin(ContentAdmin):
    list_display = ["name", "is_all_levels", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(ContentAdmin):
    list_display = ["name", "short_name", "publisher"]
    search_fields = ["name", "short_name", "publisher"]


@admin.register(SalaryFigure)
class SalaryFigureAdmin(ImportUploadsMixin, DraftAdminMixin, ImportExportModelAdmin, ContentAdmin):
    resource_classes = [SalaryFigureResource]
    rollback_on_validation_errors = True  # one bad row: nothing is saved
    formats = [NumberedCSV, XLSX]
    list_display = ["__str__", "guide", "country", "grade", "segment", "amount", "p25",
                    "p75", "currency", "period", "data_year", "fresh", "source", "position",
                    "is_published"]  # fmt: skip
    list_display_links = ["__str__"]
    list_editable = ["amount", "p25", "p75", "data_year", "position", "is_published"]
    list_filter = [FreshnessFilter, "guide", "country__region", "country", "grade",
                   "source", "statistic", "pay_basis", "is_published"]  # fmt: skip
    list_select_related = ["country", "grade", "source", "guide"]
    search_fields = ["segment", "note", "research_note", "source__name", "country__name"]
    autocomplete_fields = ["guide", "country", "source"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    actions = [publish, unpublish]
    fieldsets = [
        (None, {"fields": ["guide", "country", "grade", "segment", "is_proxy_role"]}),
        ("Figure", {"fields": ["statistic", "pay_basis", "amount", "p25", "p75", "currency",
                               "period", "data_year"]}),
        ("Provenance", {"fields": ["source", "source_url", "note"]}),
        # Never rendered publicly: not on the pages, in the download or the JSON-LD.
        ("For editors only", {"fields": ["research_note"]}),
        ("Display", {"fields": ["position", "is_published", "in_hero", "preview",
                                "created_at", "updated_at"]}),
    ]  # fmt: skip

    @admin.display(description="Preview")
    def preview(self, obj):
        if link := self.draft_preview_link():
            return link
        if not obj.pk:
            return "Save first (a draft is fine), then preview it on its guide."
        return preview_link("guide_preview", obj.guide.slug, "#salaries",
                            "Preview the salaries on its guide")  # fmt: skip

    @admin.display(boolean=True, description="fresh")
    def fresh(self, obj):
        return not is_stale(obj)

    # Imports and review: every row is checked against the importing user as it
    # is saved (`enforce.guarded_resource`), in the preview and in the confirmed
    # import; a file that changes a live figure is refused with 403 (nothing saved).

    def get_import_resource_classes(self, request):
        return [enforce.guarded_resource(c) for c in super().get_import_resource_classes(request)]

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        try:
            enforce.refuse_if_any_row_refused(getattr(response, "context_data", {}).get("result"))
        except enforce.LiveWriteRefused as refused:
            return refused_response(request, refused, self)
        return response

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except enforce.LiveWriteRefused as refused:
            return refused_response(request, refused, self)

    def process_dataset(self, dataset, form, request, **kwargs):
        result = super().process_dataset(dataset, form, request, **kwargs)
        # The import rolled back on the refused row's error; say why.
        enforce.refuse_if_any_row_refused(result)
        return result

    def add_success_message(self, result, request):
        # The import log's own words, so the message and the "Imports" list agree.
        log = getattr(result, "import_log", None)
        if log is None:
            super().add_success_message(result, request)
            return
        undo = reverse("admin:salaries_importlog_undo", args=[log.pk])
        messages.success(
            request, format_html('{} <a href="{}">Undo this import</a>', str(log), undo)
        )


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """Every confirmed import of salary figures, each with "Undo this import".
    The log is a record: nobody adds, edits or deletes it (view permission only)."""

    list_display = ["created_at_seconds", "file_name", "user", "new_count", "changed_count",
                    "status", "undo_link"]  # fmt: skip
    list_display_links = ["created_at_seconds"]
    list_filter = ["user"]
    search_fields = ["file_name"]
    fields = ["file_name", "user", "created_at_seconds", "new_count", "changed_count", "status",
              "undo_link"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="imported", ordering="created_at")
    def created_at_seconds(self, obj):
        # To the second: two imports in one minute are told apart.
        return f"{timezone.localtime(obj.created_at):%Y-%m-%d %H:%M:%S}"

    @admin.display(description="status")
    def status(self, obj):
        if obj.undone_at:
            who = obj.undone_by.get_username() if obj.undone_by else "unknown user"
            return f"Undone by {who} on {timezone.localtime(obj.undone_at):%Y-%m-%d %H:%M:%S}"
        return "Kept"

    @admin.display(description="undo")
    def undo_link(self, obj):
        if obj.undone_at or not (obj.new_count or obj.changed_count):
            return "–"
        url = reverse("admin:salaries_importlog_undo", args=[obj.pk])
        return format_html('<a href="{}">Undo this import…</a>', url)

    def get_urls(self):
        undo = path(
            "<path:object_id>/undo/",
            self.admin_site.admin_view(self.undo_view),
            name="salaries_importlog_undo",
        )
        return [undo, *super().get_urls()]

    def undo_view(self, request, object_id):
        """GET: what undoing would restore and delete, or which rows stop it;
        POST: undo (`resources.undo_import`), in one transaction."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            log = self.get_object(request, unquote(object_id))
        except (ValueError, TypeError):
            log = None
        if log is None:
            raise Http404("No such import.")
        # Undoing writes figures: it needs the figures' own permissions.
        needed = ["salaries.change_salaryfigure"]
        if log.created_ids:
            needed.append("salaries.delete_salaryfigure")
        if not request.user.has_perms(needed):
            raise PermissionDenied
        error = None
        rows = []
        if request.method == "POST":
            try:
                resources.undo_import(log, request.user, check=self._review_check(request))
            except enforce.LiveWriteRefused as refused:
                return refused_response(request, refused, self)
            except resources.UndoRefused as refused:
                error, rows = refused.message, refused.rows
            else:
                self.message_user(request, f"Undone: {log}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:salaries_importlog_changelist"))
        return self._undo_page(request, log, error, rows)

    @staticmethod
    def _review_check(request):
        """Undoing writes live figures: with review required, a figure the public
        sees (before or after) is a publisher's to write (`enforce`)."""

        def check(after, before):
            enforce.require_write_live(request.user, after, before=before, check_stored=False)

        return check

    def _undo_page(self, request, log, error=None, rows=()):
        restore, delete, blocked = [], [], None
        if log.undone_at:
            error = error or "This import was undone already."
        elif not error:
            rows = resources.edited_since(log)
            if rows:
                error = ("Not undone: these rows were changed after the import. Undo or redo "
                         "those changes first, or fix the rows by hand.")  # fmt: skip
            else:
                try:
                    restore, delete = resources.undo_plan(log)
                except resources.UndoRefused as refused:
                    error = refused.message
        if not error:
            check = self._review_check(request)
            try:
                for obj in delete:
                    check(None, obj)
                for obj in restore:
                    check(obj, SalaryFigure._base_manager.filter(pk=obj.pk).first())
            except enforce.LiveWriteRefused:
                blocked = ("This import changed live figures: only a publisher can undo it. "
                           "Ask a publisher.")  # fmt: skip
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Undo the import of {log.file_name or 'a file'}?",
            "opts": opts,
            "log": log,
            "error": error,
            "rows": rows,
            "restore": restore,
            "delete": delete,
            "blocked": blocked,
            "changelist_url": reverse("admin:salaries_importlog_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/salaries/importlog_undo.html", context)
