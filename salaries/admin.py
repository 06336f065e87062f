"""Admin for salary figures: edited in a list, filtered every useful way."""

from django.contrib import admin

from .models import Grade, SalaryFigure, Source


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_all_levels", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "publisher"]
    search_fields = ["name", "short_name", "publisher"]


@admin.register(SalaryFigure)
class SalaryFigureAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "country",
        "grade",
        "segment",
        "amount",
        "p25",
        "p75",
        "currency",
        "period",
        "data_year",
        "source",
        "is_published",
    ]
    list_display_links = ["__str__"]
    list_editable = ["amount", "p25", "p75", "data_year", "is_published"]
    list_filter = [
        "profession",
        "country__region",
        "country",
        "grade",
        "source",
        "statistic",
        "pay_basis",
        "is_published",
    ]
    list_select_related = ["country", "grade", "source", "profession"]
    search_fields = ["segment", "note", "source__name", "country__name"]
    autocomplete_fields = ["profession", "country", "source"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["profession", "country", "grade", "segment", "is_proxy_role"]}),
        (
            "Figure",
            {
                "fields": [
                    "statistic",
                    "pay_basis",
                    "amount",
                    "p25",
                    "p75",
                    "currency",
                    "period",
                    "data_year",
                ]
            },
        ),
        ("Provenance", {"fields": ["source", "source_url", "note"]}),
        ("Display", {"fields": ["position", "is_published", "created_at", "updated_at"]}),
    ]
