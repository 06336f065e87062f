"""Shared admin behaviour for every content model: history and recovery
(django-reversion), publish/unpublish actions, and freshness helpers."""

from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from .signals import guides_changed


class ContentAdmin(VersionAdmin):
    """Every save, list edit and deletion is a revision attributed to the user:
    history shows who changed what and when, and deleted rows can be recovered."""

    history_latest_first = True


@admin.action(description="Publish the selected rows")
def publish(modeladmin, request, queryset):
    _set_published(modeladmin, request, queryset, True)


@admin.action(description="Unpublish the selected rows (they become drafts)")
def unpublish(modeladmin, request, queryset):
    _set_published(modeladmin, request, queryset, False)


def _set_published(modeladmin, request, queryset, value):
    # Saved one by one, not with update(): each change is a revision with its
    # author, and the signals move the guides' dates and the cache stamp.
    changed = 0
    for obj in queryset:
        if obj.is_published != value:
            obj.is_published = value
            obj.save()
            changed += 1
    guides_changed()
    state = "published" if value else "unpublished"
    modeladmin.message_user(request, f"{changed} row(s) {state}.", messages.SUCCESS)


def preview_link(url_name, slug, anchor="", label="Preview as the public will see it"):
    """An admin link to the staff-only preview of a guide (drafts included)."""
    try:
        url = reverse(url_name, kwargs={"slug": slug}) + anchor
    except NoReverseMatch:
        return "–"
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)
