"""Admin for site-wide pages."""

from django.contrib import admin

from .models import SitePage


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "updated_at"]
    list_editable = ["is_published"]
    search_fields = ["title", "body"]
    readonly_fields = ["created_at", "updated_at", "content_changed_at"]


admin.site.site_header = "Career Guide admin"
admin.site.site_title = "Career Guide admin"
admin.site.index_title = "Guides, salaries, stories and site pages"
