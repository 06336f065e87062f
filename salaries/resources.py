"""Salary figures in bulk (django-import-export): CSV and XLSX, rows matched on
natural keys (guide slug, country code, grade, source, segment), never on ids."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from roadmaps.models import Country, Guide
from roadmaps.signals import guides_changed

from .models import Grade, SalaryFigure, Source


class SalaryFigureResource(resources.ModelResource):
    guide = fields.Field(
        attribute="guide", column_name="guide", widget=ForeignKeyWidget(Guide, "slug")
    )
    country = fields.Field(
        attribute="country", column_name="country", widget=ForeignKeyWidget(Country, "code")
    )
    grade = fields.Field(
        attribute="grade", column_name="grade", widget=ForeignKeyWidget(Grade, "name")
    )
    source = fields.Field(
        attribute="source", column_name="source", widget=ForeignKeyWidget(Source, "name")
    )

    class Meta:
        model = SalaryFigure
        import_id_fields = ["guide", "country", "grade", "source", "segment"]
        fields = ["guide", "country", "grade", "source", "segment", "is_proxy_role",
                  "statistic", "pay_basis", "amount", "p25", "p75", "currency", "period",
                  "data_year", "source_url", "note", "position", "is_published"]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        # Model validation (including the CheckConstraints) runs on every row,
        # so a bad row is reported with its reason before anything is saved.
        clean_model_instances = True

    def import_data(self, dataset, **kwargs):
        # All or nothing: one invalid row rolls back the whole file.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        # Empty cells mean "no value", not the string "" (segment stays "").
        if row.get("segment") is None:
            row["segment"] = ""

    def after_import(self, dataset, result, **kwargs):
        # Rows are saved one by one (signals fire), but say it once more
        # explicitly: an import must show on the next request.
        if not kwargs.get("dry_run") and not result.has_errors():
            guides_changed()
