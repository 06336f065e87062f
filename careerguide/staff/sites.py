"""The admin site: Django's, plus a second factor for every staff member."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from . import views


def is_verified(user):
    """True once this session passed the second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class StaffAdminSite(admin.AdminSite):
    """`admin.site`. Staff need a password and then a code (careerguide.staff.views);
    with STAFF_2FA_REQUIRED off, the password alone, as in Django."""

    def has_permission(self, request):
        if not super().has_permission(request):  # is_active and is_staff
            return False
        return not settings.STAFF_2FA_REQUIRED or is_verified(request.user)

    def get_urls(self):
        # The sign-in steps run before the user is logged in, so they are not
        # wrapped in admin_view (which requires has_permission).
        return [
            path("login/code/", views.verify, name="staff_verify"),
            path("login/set-up/", views.enrol, name="staff_enrol"),
            path(
                "two-factor/",
                self.admin_view(views.two_factor),
                name="staff_two_factor",
            ),
            path(
                "two-factor/recovery-codes/",
                self.admin_view(views.recovery_codes),
                name="staff_recovery_codes",
            ),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """Django's admin login, with our password step (views.PasswordStep)."""
        redirect_url = views.PasswordStep().get_redirect_url(request) or reverse(
            "admin:index", current_app=self.name
        )
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(redirect_url)
        user = request.user
        staff = user.is_authenticated and user.is_active and user.is_staff
        if staff and not self.has_permission(request):
            # Signed in with a password but not (or no longer) with a second
            # factor, e.g. after reset_2fa: that session is worth nothing, and
            # Django's page would call it "not authorized". Start again.
            logout(request)
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            REDIRECT_FIELD_NAME: redirect_url,
            **(extra_context or {}),
        }
        request.current_app = self.name
        return views.PasswordStep.as_view(
            extra_context=context,
            template_name=self.login_template or "admin/login.html",
        )(request)
