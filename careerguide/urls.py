"""Public URLs, then the admin under ADMIN_URL, then site pages (catch-all slug)."""

from django.conf import settings
from django.contrib import admin
from django.urls import path

from . import views
from .seo.sitemaps import sitemap_xml

handler400 = "careerguide.http.errors.bad_request"
handler403 = "careerguide.http.errors.permission_denied"
handler404 = "careerguide.views.not_found"
handler500 = "careerguide.http.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("careers/<slug:slug>/", views.guide, name="guide"),
    path("careers/<slug:slug>/social.png", views.guide_card, name="guide_card"),
    path("careers/<slug:slug>/plan/", views.plan, name="plan"),
    path("careers/<slug:slug>/salaries/", views.guide_salaries, name="guide_salaries"),
    path("careers/<slug:slug>/salaries.csv", views.guide_salaries_csv, name="guide_salaries_csv"),
    path("preview/careers/<slug:slug>/", views.guide_preview, name="guide_preview"),
    path("preview/<slug:slug>/", views.site_page_preview, name="site_page_preview"),
    path("social.png", views.site_card, name="site_card"),
    path("people/<slug:slug>/", views.person, name="person"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Cacheable like the pages: in the page cache and, for a second, at the edge.
    path("sitemap.xml", sitemap_xml, name="sitemap"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("<slug:slug>/", views.site_page, name="site_page"),
]
