"""No silent overwrites: a save from a form opened before someone else saved
the same rows is refused.

A change form carries a hidden `_versions` field: a signed (`django.core.signing`)
payload of the rows as they were when the form was rendered — the object and
every inline row (`rows_of`) — with their serialized fields, and the time the
form was loaded. On a plain Save the rows are read again: a row changed, added
or deleted since makes the form invalid with a message that names who saved
(django-reversion's latest revision of those rows), when, and which fields
differ. The editor's input stays in the form; the re-rendered form carries the
rows as they are now, so saving again replaces the other changes knowingly.

List edits do the same per listed row: each changelist form carries a signed
`_version` beside its id (`VersionedPk`), and one row changed since the list was
loaded refuses the whole save.

Not `updated_at` nor `content_changed_at` (other saves move them), nor
django-concurrency (its version field breaks reversion's reverts): the version
is the rows' own fields, compared by `snapshot.row_hash`.
"""

import datetime
import json

from django import forms
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers, signing
from django.core.exceptions import BadRequest
from django.forms.models import _get_foreign_key
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.text import capfirst
from reversion.models import Version

from roadmaps.workflow import snapshot

FIELD = "_versions"
ROW_FIELD = "_version"
SALT = "roadmaps.versioncheck"
SECONDS = "j M Y, H:i:s"
TAMPERED = "This form's version information is missing or damaged: reload the page."


# -- the rows and their signed state


def rows_of(modeladmin, obj):
    """The object and every row its change form edits: a guide's inline blocks
    (`snapshot.rows_of`) and the rows of the admin's own inlines."""
    rows = list(snapshot.rows_of(obj))
    seen = {snapshot.key(row) for row in rows}
    for inline in modeladmin.inlines:
        try:
            fk = _get_foreign_key(type(obj), inline.model, fk_name=inline.fk_name)
        except ValueError:
            continue
        for row in inline.model._default_manager.filter(**{fk.name: obj.pk}).order_by("pk"):
            if snapshot.key(row) not in seen:
                seen.add(snapshot.key(row))
                rows.append(row)
    return rows


def state(rows):
    """{row key: {"model", "fields"}} without the timestamps every save moves."""
    found = {}
    for data in json.loads(serializers.serialize("json", rows)):
        fields = {k: v for k, v in data["fields"].items() if k not in snapshot.VOLATILE}
        found[f"{data['model']}:{data['pk']}"] = {"model": data["model"], "fields": fields}
    return found


def sign(root_key, rows):
    """The hidden field's value for rows as they are now."""
    payload = {"root": root_key, "at": timezone.now().timestamp(), "rows": rows}
    return signing.dumps(payload, salt=SALT, compress=True)


def unsign(value, root_key):
    """The payload of a posted value; 400 when missing, tampered or for another row."""
    try:
        payload = signing.loads(value or "", salt=SALT)
    except signing.BadSignature:
        raise BadRequest(TAMPERED) from None
    if not isinstance(payload, dict) or payload.get("root") != root_key:
        raise BadRequest(TAMPERED)
    return payload


def form_value(modeladmin, obj):
    return sign(snapshot.key(obj), state(rows_of(modeladmin, obj)))


def row_value(obj):
    return sign(snapshot.key(obj), state([obj]))


# -- what changed, and who changed it


def differences(before, now):
    """[(row key, "changed"|"added"|"deleted", [field names])] between two states."""
    found = []
    for key, old in before.items():
        new = now.get(key)
        if new is None:
            found.append((key, "deleted", []))
        elif snapshot.row_hash(old) != snapshot.row_hash(new):
            names = sorted(
                {*old["fields"], *new["fields"]},
                key=lambda n: list(new["fields"]).index(n) if n in new["fields"] else 999,
            )
            fields = [n for n in names if old["fields"].get(n) != new["fields"].get(n)]
            found.append((key, "changed", fields))
    for key in now.keys() - before.keys():
        found.append((key, "added", []))
    return found


def _model(key):
    from django.apps import apps

    return apps.get_model(key.rsplit(":", 1)[0])


def _verbose(model, name):
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the form was loaded
        return name


def name(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def savers(keys, since):
    """[(user, when)] of the saves of these rows after `since`, latest first:
    django-reversion's revisions, then the admin's deletion log entries (a
    deletion leaves no version of the row)."""
    found = {}
    for key in keys:
        model = _model(key)
        pk = key.rsplit(":", 1)[1]
        versions = Version.objects.get_for_object_reference(model, pk).filter(
            revision__date_created__gt=since
        )
        for version in versions.select_related("revision__user")[:5]:
            revision = version.revision
            found[revision.pk] = (revision.user, revision.date_created)
        ct = ContentType.objects.get_for_model(model)
        deletions = LogEntry.objects.filter(
            content_type=ct, object_id=pk, action_flag=DELETION, action_time__gt=since
        ).select_related("user")
        for entry in deletions[:5]:
            found[f"log{entry.pk}"] = (entry.user, entry.action_time)
    return sorted(found.values(), key=lambda pair: pair[1], reverse=True)


def _loaded_at(payload):
    try:
        return datetime.datetime.fromtimestamp(float(payload["at"]), tz=datetime.UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise BadRequest(TAMPERED) from None


def when(moment):
    return format_date(timezone.localtime(moment), SECONDS)


def who_and_when(keys, since):
    """ "Pia Publisher at 7 Jun 2025, 07:12:03" for every save since, or None."""
    listed, seen = [], set()
    for user, moment in savers(keys, since):
        label = name(user)
        if label not in seen:
            seen.add(label)
            listed.append(f"{label} at {when(moment)}")
    return ", ".join(listed) or None


def describe_changes(found, root_key):
    """'Headline, Intro; Stage “Months 1–3”: Description; Skill “SQL” added'."""
    parts = []
    for key, kind, fields in found:
        model = _model(key)
        if key == root_key:
            label = ""
        else:
            label = snapshot.describe(key).replace(": ", " “", 1) + "”"
            if kind == "deleted":
                label = f"{capfirst(model._meta.verbose_name)} #{key.rsplit(':', 1)[1]}"
        if kind == "changed":
            names = ", ".join(_verbose(model, name) for name in fields)
            parts.append(f"{label}: {names}" if label else names)
        else:
            parts.append(f"{label or capfirst(model._meta.verbose_name)} {kind}")
    return "; ".join(parts)


def conflict_message(found, payload, root_key, what):
    since = _loaded_at(payload)
    keys = [key for key, _kind, _fields in found] + [root_key]
    by = who_and_when(keys, since) or "Someone else"
    return (
        f"Not saved: {by} saved {what} after you opened this form. "
        f"Changed since: {describe_changes(found, root_key)}. "
        "Your changes are still in the form below. Compare them with the saved version "
        "(History, or open the page in a new tab); Save again to replace the other "
        "changes with yours."
    )


# -- the change form


class VersionsField(forms.CharField):
    """The hidden `_versions` field. It always shows the rows as they were read
    for this render (its initial value), never the posted value: after a
    refused save, saving again means "replace the other changes with mine"."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "")
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        return initial

    def has_changed(self, initial, data):
        return False  # not an edit: never "Changed Versions" in history


def check_form(modeladmin, request, obj):
    """The message of a refused save of `obj`'s change form, or None. Reads
    the payload posted and kept by `ContentAdmin.changeform_view`."""
    refused = getattr(request, "_edit_refused", None)
    if refused:
        return refused  # decided before the form (a stale draft: workflow.admin)
    payload = getattr(request, "_versions_posted", None)
    if payload is None or obj is None or obj.pk is None:
        return None
    root_key = snapshot.key(obj)
    if payload["root"] != root_key:
        return None
    live = type(obj)._default_manager.filter(pk=obj.pk).first()
    if live is None:
        return None
    found = differences(payload["rows"], state(rows_of(modeladmin, live)))
    if not found:
        return None
    return conflict_message(found, payload, root_key, f"this {obj._meta.verbose_name}")


# -- list edits


class VersionedPk(forms.HiddenInput):
    """The hidden id of a changelist row, followed by that row's signed version
    (the changelist renders only the id of each row as a hidden field)."""

    def __init__(self, version_name, version, attrs=None):
        super().__init__(attrs)
        self.version_name = version_name
        self.version = version

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        extra = format_html('<input type="hidden" name="{}" value="{}">', self.version_name,
                            self.version)  # fmt: skip
        return html + extra


def versioned_formset(formset_class):
    """A changelist formset whose rows carry their versions, and whose save is
    refused (as a formset error: the list keeps the editor's input) when a row
    changed since the list was loaded."""

    class VersionedFormSet(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            instance = form.instance
            pk_name = self.model._meta.pk.name
            if instance is not None and instance.pk is not None and pk_name in form.fields:
                value = row_value(instance)
                # A form field (in the form's fields and initial data like the
                # others), rendered by the id's widget: the list shows only that.
                form.fields[ROW_FIELD] = VersionsField(initial=value)
                form.initial[ROW_FIELD] = value
                form.fields[pk_name].widget = VersionedPk(form.add_prefix(ROW_FIELD), value)

        def clean(self):
            super().clean()
            if not self.is_bound:
                return
            refused = []
            for form in self.forms:
                instance = form.instance
                if instance is None or instance.pk is None:
                    continue
                root_key = snapshot.key(instance)
                payload = unsign(self.data.get(form.add_prefix(ROW_FIELD)), root_key)
                live = self.model._default_manager.filter(pk=instance.pk).first()
                now = state([live]) if live is not None else {}
                found = differences(payload["rows"], now)
                if found:
                    since = _loaded_at(payload)
                    by = who_and_when([root_key], since) or "someone else"
                    what = describe_changes(found, root_key)
                    refused.append(f"“{live or instance}” ({what}; saved by {by})")
            if refused:
                raise forms.ValidationError(
                    "Not saved: these rows were changed after you opened this list: "
                    + "; ".join(refused)
                    + ". Your changes are still in the list below; Save again to replace "
                    "the other changes with yours, or reload the list to start from theirs."
                )

    VersionedFormSet.__name__ = formset_class.__name__
    return VersionedFormSet


def versioned_form(base, modeladmin, request, obj, attrs):
    """A subclass of the admin's form class with the hidden `_versions` field
    (the rows as they are now) and a `clean` that refuses a stale save."""

    def clean(self):
        cleaned = super(form_class, self).clean()
        message = check_form(modeladmin, request, obj)
        if message:
            raise forms.ValidationError(message, code="stale")
        return cleaned

    value = form_value(modeladmin, obj)

    def __init__(self, *args, **kwargs):
        super(form_class, self).__init__(*args, **kwargs)
        # In the form's initial data too, as every model field's value is.
        self.initial[FIELD] = value

    attrs = {**attrs, FIELD: VersionsField(initial=value), "__init__": __init__, "clean": clean}
    form_class = type(base.__name__, (base,), attrs)
    return form_class
