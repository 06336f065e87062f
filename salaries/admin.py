"""Admin for salary figures: edited in a list, filtered every useful way,
imported and exported in bulk, with stale figures flagged."""

import reversion
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from roadmaps.admin_base import ContentAdmin, preview_link, publish, refused_response, unpublish
from roadmaps.workflow import enforce
from roadmaps.workflow.admin import DraftAdminMixin

from .freshness import first_fresh_year, is_stale
from .models import Grade, SalaryFigure, Source
from .resources import SalaryFigureResource

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
class SalaryFigureAdmin(DraftAdminMixin, ImportExportModelAdmin, ContentAdmin):
    resource_classes = [SalaryFigureResource]
    rollback_on_validation_errors = True  # one bad row: nothing is saved
    formats = [CSV, XLSX]
    list_display = ["__str__", "guide", "country", "grade", "segment", "amount", "p25",
                    "p75", "currency", "period", "data_year", "fresh", "source", "position",
                    "is_published"]  # fmt: skip
    list_display_links = ["__str__"]
    list_editable = ["amount", "p25", "p75", "data_year", "position", "is_published"]
    list_filter = [FreshnessFilter, "guide", "country__region", "country", "grade",
                   "source", "statistic", "pay_basis", "is_published"]  # fmt: skip
    list_select_related = ["country", "grade", "source", "guide"]
    search_fields = ["segment", "note", "source__name", "country__name"]
    autocomplete_fields = ["guide", "country", "source"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    actions = [publish, unpublish]
    fieldsets = [
        (None, {"fields": ["guide", "country", "grade", "segment", "is_proxy_role"]}),
        ("Figure", {"fields": ["statistic", "pay_basis", "amount", "p25", "p75", "currency",
                               "period", "data_year"]}),
        ("Provenance", {"fields": ["source", "source_url", "note"]}),
        ("Display", {"fields": ["position", "is_published", "preview", "created_at",
                                "updated_at"]}),
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
