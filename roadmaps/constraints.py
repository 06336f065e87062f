"""Database rules that speak to editors next to the field they are about.

Django reports a failed `CheckConstraint` as an error of the whole form, shown
at the top of a long admin page, far from the box the editor has to fix.
`FieldCheckConstraint` is the same database check, but its error is keyed by the
one field the rule is about, so the admin shows it beside that field.
"""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models


class FieldCheckConstraint(models.CheckConstraint):
    """A `CheckConstraint` whose error belongs to one field.

    `field` names the form field the editor should correct. It is kept in
    `deconstruct()`, so migrations and the migration state carry it. The
    database side (the SQL check) is exactly that of `CheckConstraint`.
    """

    # Which field shows the error is no business of the database: moving it is a
    # state-only migration (AlterConstraint), with no table rebuilt or re-checked.
    non_db_attrs = (*models.CheckConstraint.non_db_attrs, "field")

    def __init__(self, *, field, **kwargs):
        self.field = field
        super().__init__(**kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            if exclude and self.field in exclude:
                # The field is not on this form: a keyed error would have nowhere
                # to go (ModelForm refuses errors for fields it lacks), so it stays
                # an error of the whole form.
                raise
            raise ValidationError({self.field: [error]}) from error

    def check(self, model, connection):
        errors = super().check(model, connection)
        # A typo in `field` would otherwise only show up as a crash on a bad save.
        errors.extend(self._check_references(model, [(self.field,)]))
        return errors

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other):
        # Without this, moving the error to another field would not be seen as a
        # change, and no migration would record it.
        if isinstance(other, FieldCheckConstraint):
            return super().__eq__(other) and self.field == other.field
        if isinstance(other, models.CheckConstraint):
            return False
        return super().__eq__(other)

    def __repr__(self):
        return f"{super().__repr__()[:-1]} field={self.field!r}>"
