"""Salary figures in bulk (django-import-export): CSV and XLSX, rows matched on
natural keys (guide slug, country code, grade, source, segment), never on ids.

A confirmed import leaves a trace it can be undone from: before it changes a
row it saves a "before import" revision of that row, after saving a row an
"Import of <file>" revision, and at the end an `ImportLog` naming both and the
rows it created (`undo_import` puts everything back).

Errors speak the spreadsheet's language: rows are numbered as the spreadsheet
numbers them (the header is row 1), and a guide, country, grade or source the
file names but the site does not have is quoted, with the closest ones it has.

Formula cells (`salaries.spreadsheet`): every exported cell passes through
`safe_cell`, and an import refuses text that starts like a formula.
"""

import csv
import difflib
import io

import reversion
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from import_export import fields, resources
from import_export.formats.base_formats import CSV
from import_export.widgets import ForeignKeyWidget
from reversion.errors import RevertError
from reversion.models import Version

from roadmaps import ordering
from roadmaps.models import Country, Guide
from roadmaps.signals import guides_changed

from .models import Grade, ImportLog, SalaryFigure, Source
from .spreadsheet import describe, formula_start, safe_cell, unescape_cell


def spreadsheet_row(number, rows=None):
    """The spreadsheet's number of data row `number` (django-import-export counts
    data rows from 1; the spreadsheet counts the header as row 1). `rows`, when
    the file was read by `NumberedCSV`, lists each data row's own number."""
    if rows and 0 < number <= len(rows):
        return rows[number - 1]
    return number + 1


class NumberedCSV(CSV):
    """CSV that remembers each data row's number in the spreadsheet. tablib
    drops blank lines, so after one every message would name the row above."""

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream
        if isinstance(text, bytes):
            text = text.decode(self.encoding or "utf-8-sig")
        dataset = super().create_dataset(text, **kwargs)
        records = csv.reader(io.StringIO(text))
        # Record 1 is the header; a blank line is a row of its own in a spreadsheet.
        numbers = [n for n, record in enumerate(records, start=1) if n > 1 and record]
        dataset.spreadsheet_rows = numbers if len(numbers) == len(dataset) else None
        return dataset


class UnknownValue(ValueError):
    """A cell names something the site does not have."""


class PlainForeignKeyWidget(ForeignKeyWidget):
    """A `ForeignKeyWidget` whose "not found" says what was looked for, and
    suggests the closest values the file could have used.

    `column` names the column in "the {column} cell is empty"; `what` reads
    "no {what} '{value}'"; `accepted` are the fields a cell may match, in order
    (the first is what an export writes)."""

    def __init__(self, model, accepted, column, what, display=None, **kwargs):
        self.accepted = list(accepted)
        self.column = column
        self.what = what
        # How a suggestion names an object: once, however many of its fields are close.
        self.display = display or (lambda obj: getattr(obj, self.accepted[0]))
        super().__init__(model, self.accepted[0], **kwargs)

    def clean(self, value, row=None, **kwargs):
        # Every figure has all four: an empty cell is an error of that cell,
        # not "This field cannot be null" after the row is read.
        if value is None or not str(value).strip():
            raise UnknownValue(f"the {self.column} cell is empty.")
        return super().clean(value, row=row, **kwargs)

    def get_instance_by_lookup_fields(self, value, row, **kwargs):
        value = str(value).strip()
        for name in self.accepted:  # in order: a full name wins over a label
            match = self.get_queryset(value, row, **kwargs).filter(**{name: value}).first()
            if match is not None:
                return match
        raise UnknownValue(self.not_found(value, self.offers()))

    def offers(self):
        """{what a cell could say, lowercased: what to suggest typing}."""
        offers = {}
        for obj in self.model.objects.all():
            for name in self.accepted:
                text = str(getattr(obj, name) or "")
                if text:
                    offers.setdefault(text.lower(), str(self.display(obj)))
        return offers

    def not_found(self, value, offers):
        close = difflib.get_close_matches(value.lower(), list(offers), n=3, cutoff=0.6)
        message = f"no {self.what} '{value}'."
        if close:
            # A name and a label of one object may both be close: name it once.
            names = list(dict.fromkeys(offers[c] for c in close))
            message += f" Did you mean: {', '.join(names)}?"
        return message


class CountryWidget(PlainForeignKeyWidget):
    """A country by its code; a cell close to a country's name suggests its code."""

    def __init__(self):
        super().__init__(Country, ["code"], "country", "country with the code")

    def offers(self):
        countries = list(Country.objects.all())
        offers = {c.name.lower(): c.code for c in countries}
        offers.update({c.code.lower(): c.code for c in countries})
        return offers


def _numbered(error, row):
    """`error` with every message prefixed "Row N: " (spreadsheet numbering)."""
    prefix = f"Row {row}: "
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                field: [prefix + message for message in messages]
                for field, messages in error.message_dict.items()
            }
        )
    return ValidationError({NON_FIELD_ERRORS: [prefix + m for m in error.messages]})


class SalaryFigureResource(resources.ModelResource):
    guide = fields.Field(
        attribute="guide",
        column_name="guide",
        widget=PlainForeignKeyWidget(Guide, ["slug"], "guide", "guide with the slug"),
    )
    country = fields.Field(attribute="country", column_name="country", widget=CountryWidget())
    grade = fields.Field(
        attribute="grade",
        column_name="grade",
        widget=PlainForeignKeyWidget(Grade, ["name", "slug"], "grade", "grade called"),
    )
    # By full name (what an export writes) or short label (what the admin shows).
    source = fields.Field(
        attribute="source",
        column_name="source",
        widget=PlainForeignKeyWidget(
            Source, ["name", "short_name"], "source", "source called", display=Source.label.fget
        ),
    )

    class Meta:
        model = SalaryFigure
        import_id_fields = ["guide", "country", "grade", "source", "segment"]
        fields = ["guide", "country", "grade", "source", "segment", "is_proxy_role",
                  "statistic", "pay_basis", "amount", "p25", "p75", "currency", "period",
                  "data_year", "source_url", "note", "research_note", "position",
                  "is_published"]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        # Model validation (including the CheckConstraints) runs on every row,
        # so a bad row is reported with its reason before anything is saved.
        clean_model_instances = True

    def import_data(self, dataset, dry_run=False, **kwargs):
        # All or nothing: one invalid row rolls back the whole file.
        kwargs["rollback_on_validation_errors"] = True
        # What this import saved, for its log (a resource may import twice).
        self._log = {"dry_run": dry_run, "created": [], "changed": set(), "before": [], "after": {}}
        self._spreadsheet_rows = getattr(dataset, "spreadsheet_rows", None)
        result = super().import_data(dataset, dry_run=dry_run, **kwargs)
        # The library numbers a rejected row by its place in the dataset; the
        # page names it as the spreadsheet does, as the preview's rows are.
        for invalid in result.invalid_rows:
            invalid.spreadsheet_row = spreadsheet_row(invalid.number, self._spreadsheet_rows)
        return result

    def export_field(self, field, instance, **kwargs):
        # Every cell of a CSV or XLSX export, so a note an editor pasted from
        # anywhere never runs as a formula in the spreadsheet that opens it.
        return safe_cell(super().export_field(field, instance, **kwargs))

    def formula_errors(self, instance):
        """{field: [message]} for free-text cells that start like a formula."""
        errors = {}
        for field in SalaryFigure._meta.concrete_fields:
            if field.name not in self.fields or field.choices:
                continue
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            char = formula_start(getattr(instance, field.attname))
            if char:
                errors[field.name] = [
                    f"the {field.verbose_name} starts with {describe(char)}, which a "
                    "spreadsheet would run as a formula. Start it with a word or a number."
                ]
        return errors

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # As the library's, but the order number is a wish settled on save
        # (`roadmaps.ordering`): two rows may ask for one number.
        errors = {**self.formula_errors(instance), **dict(import_validation_errors or {})}
        try:
            instance.full_clean(exclude=[*errors, "position"], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        plan = ordering.arrange([(instance, instance.position)])
        super().save_instance(instance, is_create, row, **kwargs)
        plan.finish()

    def _keeping_history(self, kwargs):
        log = getattr(self, "_log", None)
        return bool(log) and not log["dry_run"] and not kwargs.get("dry_run")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if not self._keeping_history(kwargs):
            return  # a preview: rolled back, nothing to remember
        if instance.pk in self._log["created"]:
            return  # created earlier in this file: undoing deletes it anyway
        stored = SalaryFigure._base_manager.filter(pk=instance.pk).first() if instance.pk else None
        if stored is not None and stored.pk not in self._log["changed"]:
            self._log["changed"].add(stored.pk)
            comment = f"Before import of {kwargs.get('file_name') or 'a file'}"
            self._log["before"].append(_save_version(stored, kwargs.get("user"), comment))

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if not self._keeping_history(kwargs):
            return
        created = self._log["created"]
        if instance.pk not in self._log["changed"] and instance.pk not in created:
            created.append(instance.pk)
        # Read back: what the database holds is what "edited since" compares with.
        saved = SalaryFigure._base_manager.get(pk=instance.pk)
        comment = f"Import of {kwargs.get('file_name') or 'a file'}"
        # The last save of a row is what the import left (a file may name it twice).
        self._log["after"][saved.pk] = _save_version(saved, kwargs.get("user"), comment)

    def before_import_row(self, row, **kwargs):
        # A file we exported carries "'" before formula-like text: take it off again.
        for column, value in list(row.items()):
            row[column] = unescape_cell(value)
        # Empty cells mean "no value", not the string "" (segment stays "").
        if row.get("segment") is None:
            row["segment"] = ""

    def get_or_init_instance(self, instance_loader, row):
        # The row is matched on its guide, country, grade and source before it
        # is read: an unknown one would otherwise surface as "Source matching
        # query does not exist", an error of no row in particular. Here each
        # becomes a plain error of its column, all of them at once.
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                continue  # a missing column is reported for the whole file
            try:
                field.clean(row)
            except UnknownValue as error:
                errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)
        return super().get_or_init_instance(instance_loader, row)

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        if kwargs.get("row_number"):
            # The preview and each message name the row as the spreadsheet does.
            rows = getattr(self, "_spreadsheet_rows", None)
            result.spreadsheet_row = spreadsheet_row(kwargs["row_number"], rows)
            if result.validation_error is not None:
                result.validation_error = _numbered(result.validation_error, result.spreadsheet_row)
        return result

    def after_import(self, dataset, result, **kwargs):
        # Rows are saved one by one (signals fire), but say it once more
        # explicitly: an import must show on the next request.
        if not kwargs.get("dry_run") and not result.has_errors():
            guides_changed()
        log = getattr(self, "_log", None)
        # Only a file that is kept: one with an invalid row is rolled back.
        failed = result.has_errors() or result.has_validation_errors()
        if log and not log["dry_run"] and not failed:
            result.import_log = _record(log, kwargs.get("user"), kwargs.get("file_name"))


def _save_version(obj, user, comment):
    """Save one revision holding `obj` alone; return its version."""
    # Inside another revision block this one would merge into it and never
    # be saved on its own: the import log would name versions that do not exist.
    if reversion.is_active():
        raise RuntimeError("Run imports outside reversion.create_revision().")
    with reversion.create_revision(manage_manually=True, atomic=False):
        reversion.add_to_revision(obj)
        reversion.set_comment(comment)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
    return Version.objects.get_for_object(obj).first()


def _record(log, user, file_name):
    user = user if user is not None and user.is_authenticated else None
    entry = ImportLog.objects.create(
        file_name=file_name or "",
        user=user,
        new_count=len(log["created"]),
        changed_count=len(log["before"]),
        created_ids=log["created"],
    )
    entry.before_versions.set(log["before"])
    entry.after_versions.set(log["after"].values())
    return entry


# Undoing an import


class UndoRefused(Exception):
    """The import cannot be undone; `rows` lists (row, reason) pairs, if any."""

    def __init__(self, message, rows=()):
        super().__init__(message)
        self.message = message
        self.rows = list(rows)


def _compared_fields():
    # Dates the database moves on every save say nothing about an edit, nor
    # does the order, which later rows of the same file (or a reorder) move.
    return [
        f.attname
        for f in SalaryFigure._meta.concrete_fields
        if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        and f.name != "position"
    ]


def edited_since(log):
    """[(row, reason)] for the rows of `log` that differ from what the import
    left: edited, or (for a row it changed) deleted since."""
    created = set(log.created_ids)
    fields = _compared_fields()
    rows = []
    for version in log.after_versions.all().order_by("object_id"):
        current = SalaryFigure._base_manager.filter(pk=version.object_id).first()
        if current is None:
            # A row the import created and someone deleted is already undone.
            if int(version.object_id) not in created:
                rows.append((version.object_repr, "deleted since the import"))
            continue
        left = version.field_dict
        if any(getattr(current, name) != left[name] for name in fields if name in left):
            rows.append((str(current), "edited since the import"))
    return rows


def undo_plan(log):
    """(rows to restore, rows to delete) as model instances: the changed rows as
    they were before the import, and the created rows as they are now."""
    try:
        restore = [v._object_version.object for v in log.before_versions.all()]
    except RevertError as error:
        raise UndoRefused(
            "The history of this import can no longer be read, so it cannot be undone."
        ) from error
    delete = list(SalaryFigure._base_manager.filter(pk__in=log.created_ids).order_by("pk"))
    return restore, delete


def undo_import(log, user, check=lambda obj, before: None):
    """Undo `log` in one transaction: delete the rows it created, put back the
    rows it changed (one revision each, "Undid the import of <file>"), and mark
    the log undone. `check(obj, before)` may refuse any row by raising (the
    admin passes the review rules). Raises `UndoRefused` (nothing written) when
    the import was undone already or a row was edited since."""
    with transaction.atomic():
        log = ImportLog.objects.select_for_update().get(pk=log.pk)
        if log.undone_at:
            raise UndoRefused("This import was undone already.")
        # `deleterevisions` may have removed the versions the log names.
        if log.before_versions.count() < log.changed_count or (
            log.after_versions.count() < log.new_count + log.changed_count
        ):
            raise UndoRefused("The history of this import was deleted, so it cannot be undone.")
        conflicts = edited_since(log)
        if conflicts:
            raise UndoRefused(
                "Not undone: these rows were changed after the import. Undo or redo those "
                "changes first, or fix the rows by hand.",
                conflicts,
            )
        restore, delete = undo_plan(log)
        for obj in delete:
            check(None, obj)
        for obj in restore:
            check(obj, SalaryFigure._base_manager.filter(pk=obj.pk).first())
        for obj in delete:
            obj.delete()  # one by one: the delete signals invalidate the pages
        # The rows come back at their old numbers, which others may hold now.
        groups = {(SalaryFigure, ordering.group_value(o)) for o in [*delete, *restore]}
        ordering.park_groups(groups)
        comment = f"Undid the import of {log.file_name or 'a file'}"
        for obj in restore:
            obj._state.adding = False
            with reversion.create_revision(atomic=False):
                obj.save()  # a plain save: dated now, signals fire
                reversion.set_comment(comment)
                if user is not None and user.is_authenticated:
                    reversion.set_user(user)
        ordering.arrange([(o, o.position) for o in restore], groups=groups).finish()
        log.undone_at = timezone.now()
        log.undone_by = user if user is not None and user.is_authenticated else None
        log.save(update_fields=["undone_at", "undone_by"])
    guides_changed()
    return log
