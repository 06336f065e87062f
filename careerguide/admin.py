"""Admin for site-wide pages."""

import reversion
from django.contrib import admin, messages

from roadmaps.admin_base import ContentAdmin, preview_link
from roadmaps.workflow.admin import DraftAdminMixin

from .models import SitePage
from .templatetags.site_tags import ALLOWED_TAGS, dropped_tags

# History and recovery like every content model: a deleted page keeps its text.
reversion.register(SitePage)


@admin.register(SitePage)
class SitePageAdmin(DraftAdminMixin, ContentAdmin):
    list_display = ["title", "slug", "is_published", "updated_at"]
    list_editable = ["is_published"]
    search_fields = ["title", "body"]
    readonly_fields = ["preview", "created_at", "updated_at", "content_changed_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Markdown may carry images or raw HTML that the page removes; saying so
        # beats a silent loss the editor discovers on the live page.
        if lost := dropped_tags(obj.body):
            messages.warning(
                request,
                "The page will not show these parts of the text: "
                + ", ".join(f"<{tag}>" for tag in lost)
                + ". Images and HTML are removed; the page shows only "
                + ", ".join(sorted(ALLOWED_TAGS))
                + " (headings, lists, links and emphasis in Markdown).",
            )

    @admin.display(description="Preview")
    def preview(self, obj):
        if link := self.draft_preview_link():
            return link
        if not obj.pk:
            return "Save first (a draft is fine), then preview it."
        return preview_link("site_page_preview", obj.slug)


admin.site.site_header = "Career Guide admin"
admin.site.site_title = "Career Guide admin"
admin.site.index_title = "Guides, salaries, stories and site pages"
