"""Admin for salary figures: edited in a list, filtered every useful way,
imported and exported in bulk, with stale figures flagged."""

import reversion
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from roadmaps.admin_base import ContentAdmin, publish, unpublish

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
class SalaryFigureAdmin(ImportExportModelAdmin, ContentAdmin):
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
    readonly_fields = ["created_at", "updated_at"]
    actions = [publish, unpublish]
    fieldsets = [
        (None, {"fields": ["guide", "country", "grade", "segment", "is_proxy_role"]}),
        ("Figure", {"fields": ["statistic", "pay_basis", "amount", "p25", "p75", "currency",
                               "period", "data_year"]}),
        ("Provenance", {"fields": ["source", "source_url", "note"]}),
        ("Display", {"fields": ["position", "is_published", "created_at", "updated_at"]}),
    ]  # fmt: skip

    @admin.display(boolean=True, description="fresh")
    def fresh(self, obj):
        return not is_stale(obj)
