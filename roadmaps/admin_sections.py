"""Long admin change forms, easy to work in: an error summary at the top and a
section navigation.

The guide's form is about 4,000 px tall, its blocks in collapsed inline groups;
Django says "Please correct the errors below" at the top while the error may
sit screens lower, inside a closed section. `error_summary` lists every error
of a change form, the main form's and each inline row's, in the order the page
shows them, each with the id of the element to jump to; `sections` lists the
named fieldsets and inline groups with their row counts. Both read only what
the admin's change view already put in the template context (`adminform`,
`inline_admin_formsets`), so they serve every ModelAdmin's change form
(`templates/admin/change_form.html`, through `roadmaps.templatetags.admin_extras`).
`forms.js` opens the `<details>` a link leads into.

`SectionedFormMixin` makes a long form's named fieldsets, after the first,
collapsible, as its inline groups already are.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.text import capfirst

# A form with this many sections (named fieldsets and inline groups) or more
# gets the navigation, and with `SectionedFormMixin` its collapsed fieldsets.
# The guide has 14; a salary figure's four fieldsets fit on a few screens.
MIN_SECTIONS = 5


@dataclass(frozen=True)
class Error:
    """One line of the summary: where the error is (the id of the element to
    jump to), what it is about in words ("Stages, row 2: Title"), the messages."""

    target: str
    label: str
    messages: tuple

    @property
    def text(self):
        return f"{self.label} — {' '.join(self.messages)}"


@dataclass(frozen=True)
class Section:
    """A named fieldset or an inline group: its heading, the id it is linked
    by, its number of rows (inline groups only) and whether it holds an error."""

    target: str
    heading: str
    rows: int | None
    has_errors: bool


def field_target(bound_field):
    """The id of the element that shows a field: its input, or the first one of
    a widget made of several (a date and time). A radio list has no single
    input; its wrapper carries the field's id."""
    target = bound_field.id_for_label
    if target:
        return target
    if isinstance(bound_field.field.widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def _form_errors(form, field_order, form_target, prefix="", whole_shown=False):
    """The errors of one form, as `Error`s: those of the whole form first (they
    link to `form_target`), then each field's in `field_order`, then any other.
    `whole_shown`: the page already prints the whole-form errors right above
    the summary (the main form), so repeating them would only push it down."""
    errors = form.errors
    if not errors:
        return []
    found = []
    whole = [] if whole_shown else form.non_field_errors()
    hidden = [name for name in form.fields if name in errors and form[name].is_hidden]
    if whole:
        found.append(Error(form_target, prefix or "This form", tuple(whole)))
    # A hidden field's error would show nowhere: Django leaves it out of the
    # form's own errors and renders its row hidden.
    for name in hidden:
        label = f"{prefix}: hidden field “{name}”" if prefix else f"Hidden field “{name}”"
        found.append(Error(form_target, label, tuple(errors[name])))
    shown = [n for n in field_order if n in form.fields]
    shown += [n for n in form.fields if n not in shown]
    for name in shown:
        if name not in errors or name in hidden:
            continue
        bound = form[name]
        label = capfirst(str(bound.label or name))
        if prefix:
            label = f"{prefix}: {label}"
        found.append(Error(field_target(bound), label, tuple(errors[name])))
    return found


def _is_deleted(formset, form):
    """A row ticked for deletion: its errors stop nothing, so none are listed."""
    if not formset.can_delete or not form.is_bound or not hasattr(form, "cleaned_data"):
        return False
    return bool(form.cleaned_data.get(DELETION_FIELD_NAME))


def inline_heading(inline_admin_formset):
    """The inline group's heading, as Django's inline templates write it."""
    opts = inline_admin_formset.opts
    if inline_admin_formset.formset.max_num == 1:
        return capfirst(str(opts.verbose_name))
    return capfirst(str(opts.verbose_name_plural))


def _inline_errors(inline_admin_formset):
    formset = inline_admin_formset.formset
    prefix = formset.prefix
    heading = inline_heading(inline_admin_formset)
    found = []
    # Errors of the whole group (duplicates across rows, too many rows…).
    if formset.is_bound and formset.non_form_errors():
        found.append(Error(f"{prefix}-group", heading, tuple(formset.non_form_errors())))
    order = flatten_fieldsets(inline_admin_formset.fieldsets)
    for index, form in enumerate(formset.forms):
        if not form.is_bound or _is_deleted(formset, form):
            continue
        # The row's element id, as Django's stacked and tabular templates set it.
        row = f"{prefix}-{index}"
        found += _form_errors(form, order, row, prefix=f"{heading}, row {index + 1}")
    return found


def error_summary(adminform, inline_admin_formsets, form_target):
    """Every error of a change form, in page order: the main form's (its
    whole-form errors link to `form_target`, the form's top), then each inline
    group's and each of its rows'."""
    if adminform is None or not adminform.form.is_bound:
        return []
    fields = flatten_fieldsets(adminform.fieldsets)
    found = _form_errors(adminform.form, fields, form_target, whole_shown=True)
    for inline_admin_formset in inline_admin_formsets or ():
        found += _inline_errors(inline_admin_formset)
    return found


def _rows(formset):
    """Rows the group shows with content: saved ones and filled-in new ones,
    not the empty extra forms nor those ticked for deletion."""
    initial = formset.initial_form_count()
    return sum(
        1
        for index, form in enumerate(formset.forms)
        if not _is_deleted(formset, form) and (index < initial or form.has_changed())
    )


def sections(adminform, inline_admin_formsets):
    """The named fieldsets, then the inline groups, linked by the ids Django's
    templates give them (a fieldset's heading, an inline's group)."""
    if adminform is None:
        return []
    form = adminform.form
    errors = form.errors if form.is_bound else {}
    found = []
    for index, (name, options) in enumerate(adminform.fieldsets):
        if not name:
            continue  # no heading to show nor to link to
        fields = flatten_fieldsets([(name, options)])
        found.append(
            Section(
                target=f"fieldset-0-{index}-heading",
                heading=str(name),
                rows=None,
                has_errors=any(f in errors for f in fields),
            )
        )
    for inline_admin_formset in inline_admin_formsets or ():
        formset = inline_admin_formset.formset
        found.append(
            Section(
                target=f"{formset.prefix}-group",
                heading=inline_heading(inline_admin_formset),
                rows=_rows(formset),
                has_errors=bool(formset.is_bound and _inline_errors(inline_admin_formset)),
            )
        )
    return found


class SectionedFormMixin:
    """A ModelAdmin whose long change form is split into sections: each named
    fieldset after the first is collapsible (closed until opened, from the
    section navigation or by hand), like the inline groups. A fieldset holding
    an error is shown open (Django renders it without `<details>`)."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        named = sum(1 for name, _ in fieldsets if name)
        if named + len(self.inlines) < MIN_SECTIONS:
            return fieldsets
        sectioned = []
        for index, (name, options) in enumerate(fieldsets):
            classes = list(options.get("classes", ()))
            if index and name and "collapse" not in classes:
                options = {**options, "classes": [*classes, "collapse"]}
            sectioned.append((name, options))
        return sectioned
