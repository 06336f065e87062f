"""Admin for site-wide pages."""

import reversion
from django.contrib import admin

from roadmaps.admin_base import ContentAdmin, preview_link
from roadmaps.workflow.admin import DraftAdminMixin

from .models import SitePage

# History and recovery like every content model: a deleted page keeps its text.
reversion.register(SitePage)


@admin.register(SitePage)
class SitePageAdmin(DraftAdminMixin, ContentAdmin):
    list_display = ["title", "slug", "is_published", "updated_at"]
    list_editable = ["is_published"]
    search_fields = ["title", "body"]
    readonly_fields = ["preview", "created_at", "updated_at", "content_changed_at"]

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
