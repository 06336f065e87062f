"""Shared admin behaviour for every content model: history and recovery
(django-reversion), publish/unpublish actions, review enforcement and
freshness helpers.

With review required (`settings.REVIEW_REQUIRED`, on unless turned off), an
editor's write to live content is refused with 403 on every path this admin
offers: list edits, the publish/unpublish actions, deletes, reverts and
recoveries (`roadmaps.workflow.enforce`). The change form's Save is left to the
draft workflow, which captures it in a rolled-back transaction instead.
"""

import contextvars
import datetime
import functools
import re

from diff_match_patch import diff_match_patch
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.timezone import is_aware, localtime
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import _get_options
from reversion_compare.admin import CompareVersionAdmin
from reversion_compare.mixins import CompareResult

from . import ordering, versioncheck
from .signals import guides_changed
from .workflow import enforce, services, snapshot

# Set while a change list handles a request, so that `save_model` knows a save
# comes from a list edit (not from the change form, whose Save becomes a draft).
_in_changelist = contextvars.ContextVar("in_changelist", default=False)

PUBLISHING_ACTIONS = ("publish", "unpublish")
PUBLISHERS_ONLY = "Only publishers publish and unpublish: submit a draft for review instead."


def refused_response(request, refused, modeladmin):
    """The 403 page of a refused live write, in the admin, saying why."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Not without review",
        "message": refused.args[0] if refused.args else enforce.MESSAGE,
        "opts": opts,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/workflow/refused.html", context, status=403)


def _answering_refusals(view):
    """Answer a refused live write with `refused_response`. Outside the view's
    transactions, which the refusal has already rolled back."""

    @functools.wraps(view)
    def wrapper(self, request, *args, **kwargs):
        try:
            return view(self, request, *args, **kwargs)
        except enforce.LiveWriteRefused as refused:
            return refused_response(request, refused, self)

    return wrapper


def _require_publishing_action_allowed(modeladmin, request):
    """The publish/unpublish actions are hidden from editors (and Django would
    answer a forged POST with "No action selected", or ignore it when the user
    has no action at all): refuse it plainly instead. The chosen action is the
    one of the form whose button was pushed, as Django reads it."""
    try:
        chosen = request.POST.getlist("action")[int(request.POST.get("index", 0))]
    except (IndexError, ValueError):
        return
    if chosen in PUBLISHING_ACTIONS and not modeladmin.has_publish_permission(request):
        raise enforce.LiveWriteRefused(PUBLISHERS_ONLY)


class NewlinesCharField(forms.CharField):
    """A text box's value with its line endings as stored: browsers post CRLF,
    the stored text has LF, and without this every untouched text box counts as
    changed ("Changed Steps" in history, a new version with nothing new)."""

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value


def _newlines_normalised(formfield_for_dbfield):
    """Wrap a (model or inline) admin's `formfield_for_dbfield` so that plain
    text fields get a `NewlinesCharField`. Text fields with choices keep their
    choice field."""

    @functools.wraps(formfield_for_dbfield)
    def wrapper(db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", NewlinesCharField)
        return formfield_for_dbfield(db_field, request, **kwargs)

    return wrapper


class OrderedModelForm(forms.ModelForm):
    """A model form whose `position` is a wish, not a claim: two rows may ask
    for the same number in one save (a swap), and `ordering.arrange` settles
    it, so the unique order rule is not checked against the old rows here."""

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        if ordering.is_ordered(self._meta.model):
            exclusions.add("position")
        return exclusions


class _ListOrder:
    """The order wishes of one change-list save, settled on its first row's
    save and finished after its last, all inside the list's transaction (and
    its revision)."""

    def __init__(self, forms):
        self.forms = forms
        self.left = len(forms)
        self.plan = None

    def before(self):
        if self.plan is None:
            self.plan = ordering.arrange(form_wishes(self.forms))

    def after(self):
        self.left -= 1
        if self.left == 0:
            self.plan.finish()


def form_wishes(forms):
    """[(instance, requested position)] of the forms, those whose number the
    editor changed first, so that at a tie the row moved there wins."""
    wishes = [(f, f.cleaned_data.get("position")) for f in forms]
    wishes.sort(key=lambda wish: "position" not in wish[0].changed_data)
    return [(f.instance, requested) for f, requested in wishes]


def ordered_formset(formset_class):
    """A change-list formset that hands its order wishes to `_ListOrder`."""

    class OrderedFormSet(formset_class):
        def clean(self):
            super().clean()
            if not self.is_bound or not ordering.is_ordered(self.model):
                return
            changed = [f for f in self.forms if f.has_changed() and "position" in f.fields]
            holder = _ListOrder(changed)
            for form in changed:
                form._list_order = holder

    OrderedFormSet.__name__ = formset_class.__name__
    return OrderedFormSet


def ordered_inline(inline):
    """Give an inline admin the ordered form (its rows' numbers are wishes)."""
    if ordering.is_ordered(inline.model) and not issubclass(inline.form, OrderedModelForm):
        inline.form = type(inline.form.__name__, (OrderedModelForm, inline.form), {})
    return inline


class ContentAdmin(CompareVersionAdmin):
    """Every save, list edit and deletion is a revision attributed to the user:
    history shows who changed what and when (to the second), any two versions
    can be compared side by side, and deleted rows can be recovered."""

    history_latest_first = True
    form = OrderedModelForm

    class Media:
        js = ["admin-ext/ordering.js"]
        css = {"all": ["admin-ext/ordering.css"]}

    # Whether saves from this admin's own change form are checked too. Off here:
    # the change forms of guides, stories and figures save drafts of live
    # content. Admins whose change form writes live rows directly turn it on.
    review_change_form = False

    def has_publish_permission(self, request):
        """The publish/unpublish actions: publishers (or everyone, review off)."""
        return enforce.can_publish(request.user)

    @_answering_refusals
    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "_save" not in request.POST:
            _require_publishing_action_allowed(self, request)
        token = _in_changelist.set(True)
        try:
            return super().changelist_view(request, extra_context)
        finally:
            _in_changelist.reset(token)

    @_answering_refusals
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @_answering_refusals
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    # -- No silent overwrites (`roadmaps.versioncheck`)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A change form's POST must carry the signed `_versions` it was rendered
        with (400 otherwise); the form's `clean` compares them with the rows now.
        Not checked here: the add form (no rows yet), reversion's revert and
        recover pages (they post a version on purpose), and a save of an
        existing draft, which the draft workflow checks against the draft the
        editor opened (its `_draft_version`)."""
        request._versions_posted = None
        if request.method == "POST" and object_id is not None:
            reverting = extra_context and (
                extra_context.get("revert") or extra_context.get("recover")
            )
            of_draft = hasattr(self, "_save_as_draft") and "_draft_version" in request.POST
            obj = None if reverting or of_draft else self.get_object(request, unquote(object_id))
            if obj is not None and self.has_change_permission(request, obj):
                posted = request.POST.get(versioncheck.FIELD)
                request._versions_posted = versioncheck.unsign(posted, snapshot.key(obj))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _shows_versions(self, request, obj):
        return obj is not None and obj.pk is not None and self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "form" not in kwargs and self._shows_versions(request, obj):
            # As ModelAdmin.get_form does: declared fields shown read-only are dropped.
            readonly = self.get_readonly_fields(request, obj)
            attrs = dict.fromkeys(f for f in readonly if f in self.form.declared_fields)
            kwargs["form"] = versioncheck.versioned_form(self.form, self, request, obj, attrs)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._shows_versions(request, obj) or not fieldsets:
            return fieldsets
        if versioncheck.FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        # The hidden field rides in the first section (a hidden row).
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], versioncheck.FIELD]}), *rest]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, **{"form": OrderedModelForm, **kwargs})

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        return ordered_formset(versioncheck.versioned_formset(formset))

    @_answering_refusals
    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        # With the delete permission otherwise, say why it is refused.
        if obj is not None and super().has_delete_permission(request, obj):
            enforce.require_write_live(request.user, obj)
        return super().delete_view(request, object_id, extra_context)

    # -- Order: every save settles positions for the whole group (`ordering`)

    def save_model(self, request, obj, form, change):
        if self.review_change_form or _in_changelist.get():
            enforce.require_write_live(request.user, obj)
        request._form_saved = True
        if not ordering.is_ordered(type(obj)):
            return super().save_model(request, obj, form, change)
        if listed := getattr(form, "_list_order", None):
            listed.before()
            super().save_model(request, obj, form, change)
            return listed.after()
        plan = ordering.arrange([(obj, form.cleaned_data.get("position"))])
        super().save_model(request, obj, form, change)
        plan.finish()

    def save_formset(self, request, form, formset, change):
        if not ordering.is_ordered(formset.model):
            return super().save_formset(request, form, formset, change)
        deleted = [f for f in formset.deleted_forms if f.instance.pk is not None]
        kept = [
            f
            for f in formset.forms
            if f not in formset.deleted_forms and (f.instance.pk is not None or f.has_changed())
        ]
        plan = ordering.arrange(form_wishes(kept), deleting=[f.instance for f in deleted])
        super().save_formset(request, form, formset, change)
        plan.finish()

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """Reverts and recoveries write positions from an older version, which
        may collide with the rows' positions now: the rows of the groups the
        revision touches are parked first (`ordering`), and the form's save
        settles them. Nothing is kept unless that save happened."""
        request._form_saved = False
        with transaction.atomic(using=version.db):
            groups = set()
            for stored in version.revision.version_set.all():
                model = stored._model
                if model is not None and ordering.is_ordered(model):
                    row = stored._object_version.object
                    groups.add((model, ordering.group_value(row)))
            ordering.park_groups(groups)
            response = super()._reversion_revisionform_view(
                request, version, template_name, extra_context
            )
            if request.method == "POST" and response.status_code == 302 and request._form_saved:
                ordering.arrange(groups=groups).finish()
            else:
                transaction.set_rollback(True)
        return response

    def has_delete_permission(self, request, obj=None):
        # Per object: the delete page, the confirmation of a bulk delete and the
        # change form's Delete link all ask this, so all of them refuse.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or enforce.may_write_live(request.user, obj)

    def delete_model(self, request, obj):
        enforce.require_write_live(request.user, obj)
        super().delete_model(request, obj)
        if ordering.is_ordered(type(obj)):
            ordering.close_gaps(obj)

    def delete_queryset(self, request, queryset):
        doomed = list(queryset)
        for obj in doomed:
            enforce.require_write_live(request.user, obj)
        super().delete_queryset(request, queryset)
        if ordering.is_ordered(queryset.model):
            ordering.close_gaps(*doomed)

    @_answering_refusals
    def revision_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
            _require_revert(request.user, version)
        return super().revision_view(request, object_id, version_id, extra_context)

    @_answering_refusals
    def recover_view(self, request, version_id, extra_context=None):
        if request.method == "POST":
            _require_revert(request.user, get_object_or_404(Version, pk=version_id))
        return super().recover_view(request, version_id, extra_context)

    # -- No phantom changes: line endings as stored, in the form and its inlines

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _newlines_normalised(super().formfield_for_dbfield)(db_field, request, **kwargs)

    def get_inline_instances(self, request, obj=None):
        # Inline admins are created per request, so wrapping each one's method
        # changes nothing beyond this request.
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.formfield_for_dbfield = _newlines_normalised(inline.formfield_for_dbfield)
            ordered_inline(inline)
        return inlines

    # -- Compare (django-reversion-compare's views, our side-by-side rendering)

    def compare_view(self, request, object_id, extra_context=None):
        # The library's view only asks for staff, reads the object with a raw
        # pk (a malformed one would answer 500): check both first.
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such object.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    def compare(self, obj, version1, version2):
        """The fields that differ between two versions (`version1` the older),
        each with both values side by side; then, for every inline block the
        model follows (a guide's stages, FAQ…), the rows changed, added and
        removed, field by field.

        Ours, not the library's: it matches inline rows by the guide's current
        rows (so a row deleted since is missing from both sides) and shows a
        changed row only by its title. Here both sides are read from the
        revisions themselves."""
        model = type(obj)
        sections = [{"kind": "fields", "fields": _field_diffs(model, version1, version2)}]
        for rel in _followed_relations(model):
            rows, unchanged = _row_diffs(rel, obj.pk, version1, version2)
            if rows:
                label = capfirst(rel.related_model._meta.verbose_name_plural)
                sections.append(
                    {"kind": "rows", "label": label, "rows": rows, "unchanged": unchanged}
                )
        diff = [s for s in sections if s.get("fields") or s.get("rows")]
        return CompareResult(diff=diff, has_unfollowed_fields=False)


# Compare helpers

SECONDS = "j M Y, H:i:s"


def _compared_fields(model, exclude=()):
    """The fields under reversion that editors edit (not the pk, not the
    timestamps every save moves), in the model's order."""
    registered = set(_get_options(model).fields)
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.name in registered
        and field.editable
        and not field.primary_key
        and field.name not in exclude
    ]


def _display(field, value):
    """A stored value as an editor reads it."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(field, models.ManyToManyField):
        names = field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(sorted(str(item) for item in names))
    if isinstance(field, models.ForeignKey):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted since)"
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return format_date(localtime(value) if is_aware(value) else value, SECONDS)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


_dmp = diff_match_patch()


_WORDS = re.compile(r"\w+|\s+|[^\w\s]")
_FIRST_CODE, _MAX_WORDS = 0xF0000, 65000  # Unicode plane 15, private use


def _word_diff(old, new):
    """diff-match-patch's diff by whole words: a character diff marks the odd
    shared letter of two different words, which reads as noise. Each distinct
    word becomes one character (of a private-use plane) for the diff, then is
    turned back."""
    words, codes = [], {}

    def encode(text):
        chars = []
        for word in _WORDS.findall(text):
            if word not in codes:
                codes[word] = chr(_FIRST_CODE + len(words))
                words.append(word)
            chars.append(codes[word])
        return "".join(chars)

    if len(set(_WORDS.findall(old)) | set(_WORDS.findall(new))) > _MAX_WORDS:
        diff = _dmp.diff_main(old, new)  # a text too varied to encode: by character
        _dmp.diff_cleanupSemantic(diff)
        return diff
    diff = _dmp.diff_main(encode(old), encode(new), False)
    _dmp.diff_cleanupSemantic(diff)
    return [(op, "".join(words[ord(char) - _FIRST_CODE] for char in text)) for op, text in diff]


def side_by_side(old, new):
    """(old, new) as HTML: what was removed marked <del> in the old, what was
    added marked <ins> in the new, the rest as it was. Line breaks kept."""
    left, right = [], []
    for op, text in _word_diff(old, new):
        html = escape(text).replace("\n", "<br>")
        if op == diff_match_patch.DIFF_EQUAL:
            left.append(html)
            right.append(html)
        elif op == diff_match_patch.DIFF_DELETE:
            left.append(f"<del>{html}</del>")
        else:
            right.append(f"<ins>{html}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))


def _diffs(fields, old, new):
    """[{label, help, old, new}] for the fields whose values differ. `old` or
    `new` is None for a row that is added or removed: its side stays empty."""
    diffs = []
    for field in fields:
        before = _display(field, old.get(field.attname)) if old is not None else ""
        after = _display(field, new.get(field.attname)) if new is not None else ""
        if before == after and old is not None and new is not None:
            continue
        if not before and not after:
            continue
        left, right = side_by_side(before, after)
        label = capfirst(field.verbose_name)
        diffs.append({"label": label, "help": field.help_text, "old": left, "new": right})
    return diffs


def _field_diffs(model, version1, version2):
    return _diffs(_compared_fields(model), version1.field_dict, version2.field_dict)


def _followed_relations(model):
    """The one-to-many relations reversion follows for `model` (a guide's
    `stage_set`, a region's `countries`)."""
    follow = set(_get_options(model).follow)
    return [
        rel
        for rel in model._meta.related_objects
        if rel.one_to_many and rel.get_accessor_name() in follow
    ]


def _rows_of(version, rel, parent_pk):
    """{pk: Version} of `rel`'s rows in the revision of `version`, as they were."""
    content_type = ContentType.objects.get_for_model(rel.related_model)
    rows = {}
    for row in version.revision.version_set.filter(content_type=content_type):
        try:
            field_dict = row.field_dict
        except RevertError:
            continue  # a version reversion itself cannot read any more
        if str(field_dict.get(rel.field.attname)) == str(parent_pk):
            rows[row.object_id] = row
    return rows


def _row_diffs(rel, parent_pk, version1, version2):
    """([{title, status, fields}], number of unchanged rows) for one inline block."""
    fields = _compared_fields(rel.related_model, exclude={rel.field.name})
    rows1 = _rows_of(version1, rel, parent_pk)
    rows2 = _rows_of(version2, rel, parent_pk)
    diffs, unchanged = [], 0
    for pk in sorted(set(rows1) | set(rows2), key=lambda pk: _row_order(rows1, rows2, pk)):
        old, new = rows1.get(pk), rows2.get(pk)
        changed = _diffs(fields, old and old.field_dict, new and new.field_dict)
        if not changed:
            unchanged += 1
            continue
        if old is None:
            status, title = "Added", new.object_repr
        elif new is None:
            status, title = "Removed", old.object_repr
        else:
            status = "Changed"
            title = (
                old.object_repr
                if old.object_repr == new.object_repr
                else f"{old.object_repr} → {new.object_repr}"
            )
        diffs.append({"title": title, "status": status, "fields": changed})
    return diffs, unchanged


def _row_order(rows1, rows2, pk):
    row = rows2.get(pk) or rows1[pk]
    position = row.field_dict.get("position")
    return (position if position is not None else 0, row.object_repr)


def _require_revert(user, version):
    """Reverting writes every row of the version's revision (a guide's revision
    holds its inline rows too): each must be writable as it is now and as it
    will be once reverted."""
    for row in version.revision.version_set.all():
        model = row.content_type.model_class()
        if model is None:
            continue
        current = model._default_manager.filter(pk=row.object_id).first()
        try:
            reverted = row._object_version.object
        except RevertError:
            reverted = None  # reversion itself reports a version it cannot read
        enforce.require_write_live(user, reverted, before=current, check_stored=False)


@admin.action(description="Publish the selected rows", permissions=["publish"])
def publish(modeladmin, request, queryset):
    _set_published(modeladmin, request, queryset, True)


@admin.action(
    description="Unpublish the selected rows (they become drafts)", permissions=["publish"]
)
def unpublish(modeladmin, request, queryset):
    from .models import Guide

    if issubclass(modeladmin.model, Guide) and request.POST.get("confirm") != "yes":
        live = [guide for guide in queryset if guide.is_published]
        if live:
            return unpublish_confirmation(modeladmin, request, queryset, live)
    _set_published(modeladmin, request, queryset, False)
    return None


def _set_published(modeladmin, request, queryset, value):
    rows = [obj for obj in queryset if obj.is_published != value]
    # Every row is checked before any is written: all or nothing.
    for obj in rows:
        obj.is_published = value
        enforce.require_write_live(request.user, obj)
    # One by one, not with update(): each change is a revision with its author
    # and a history event, and the signals move the guides' dates and the stamp.
    for obj in rows:
        services.set_published(obj, value, user=request.user)
    if rows:
        guides_changed()
    state = "published" if value else "unpublished"
    modeladmin.message_user(request, f"{len(rows)} row(s) {state}.", messages.SUCCESS)


# Unpublishing a live guide: first a page listing every address that will
# answer 404 afterwards.

GUIDE_URL_LABELS = {
    "guide": "The guide",
    "plan": "Its personalized plan",
    "guide_card": "Its social card image",
}
# Salary pages, should they exist: reversed if the URL names are defined.
OPTIONAL_GUIDE_URLS = {
    "guide_salaries": "Its salary page",
    "salaries": "Its salary page",
    "guide_salaries_csv": "Its salary figures (CSV)",
    "salaries_csv": "Its salary figures (CSV)",
}


def _guide_url_names():
    """Named public URL patterns under the guide's own address (from the URL
    patterns, so a page added under /careers/<slug>/ is listed too)."""
    patterns = [p for p in get_resolver().url_patterns if getattr(p, "name", None)]
    prefix = next((str(p.pattern) for p in patterns if p.name == "guide"), None)
    names = [p.name for p in patterns if prefix and str(p.pattern).startswith(prefix)]
    return [*names, *(n for n in OPTIONAL_GUIDE_URLS if n not in names)]


def _absolute(path):
    return settings.SITE_URL + path


def urls_answering_404(guides):
    """[(guide, [(label, url)])] for guides about to be unpublished, then
    ("People", [...]) for reviewers left with no published guide."""
    from .models import Guide, Person

    listed = []
    for guide in guides:
        urls = []
        for name in _guide_url_names():
            try:
                path = reverse(name, kwargs={"slug": guide.slug})
            except NoReverseMatch:
                continue
            label = GUIDE_URL_LABELS.get(name) or OPTIONAL_GUIDE_URLS.get(name) or name
            urls.append((label, _absolute(path)))
        listed.append((str(guide), urls))
    ids = [guide.pk for guide in guides]
    others = Guide.objects.published().exclude(pk__in=ids)
    people = (
        Person.objects.filter(reviewed_guides__in=ids)
        .exclude(reviewed_guides__in=others)
        .distinct()
        .order_by("name")
    )
    person_urls = [
        (f"{person.name}'s profile", _absolute(reverse("person", kwargs={"slug": person.slug})))
        for person in people
    ]
    if person_urls:
        listed.append(("People", person_urls))
    return listed


def unpublish_confirmation(modeladmin, request, queryset, live):
    """The intermediate page of the `unpublish` action on guides."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Unpublish guides?",
        "opts": opts,
        "live": live,
        "listed": urls_answering_404(live),
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/workflow/unpublish_confirm.html", context)


def preview_link(url_name, slug, anchor="", label="Preview as the public will see it"):
    """An admin link to the staff-only preview of a guide (drafts included)."""
    try:
        url = reverse(url_name, kwargs={"slug": slug}) + anchor
    except NoReverseMatch:
        return "–"
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)
