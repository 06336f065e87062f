"""Public URLs, then the admin under ADMIN_URL."""

from django.conf import settings
from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("careers/<slug:slug>/", views.guide, name="guide"),
    path(settings.ADMIN_URL, admin.site.urls),
]
