"""The sign-in steps and the two-factor page.

1. `PasswordStep` (admin:login): Django's admin form, so django-axes counts wrong
   passwords and locks out as before. A correct password does not log in yet: the
   user's id waits in the session (`pending`) for at most
   STAFF_2FA_PENDING_SECONDS. Logging in fires user_logged_in, on which axes
   forgets the failures (AXES_RESET_ON_SUCCESS); a password alone must not.
2. `verify` (a code from the app, or a recovery code) or, for someone without an
   app yet, `enrol` (scan a QR code, type a code, get recovery codes). A wrong
   code sends user_login_failed, so axes counts it like a wrong password and the
   same username+IP lockout (429) applies; django-otp throttles each device too.
   Then `login()` and django-otp's `login()`: the session is verified.
"""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import devices
from .forms import AppCodeForm, RecoveryCodeForm

PENDING = "staff_2fa_pending"
NEW_CODES = "staff_2fa_new_codes"


class PasswordStep(LoginView):
    """Step 1. With STAFF_2FA_REQUIRED off, it logs in as Django's admin does."""

    authentication_form = AdminAuthenticationForm
    next_page = reverse_lazy("admin:index")

    def form_valid(self, form):
        if not settings.STAFF_2FA_REQUIRED:
            return super().form_valid(form)
        user = form.get_user()
        # A new session key, so a session id planted before the password was
        # typed never carries the pending sign-in (login() rotates it again).
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "hash": user.get_session_auth_hash(),
            "at": time.time(),
            "next": self.get_success_url(),
        }
        step = "admin:staff_verify" if devices.has_app(user) else "admin:staff_enrol"
        return redirect(step)


def pending_user(request):
    """The user who typed the right password in this session a moment ago, or None."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - data.get("at", 0) > settings.STAFF_2FA_PENDING_SECONDS:
        del request.session[PENDING]
        return None
    user = get_user_model().objects.filter(pk=data.get("user")).first()
    # The password changed, or the account was switched off, in between.
    if (
        user is None
        or not (user.is_active and user.is_staff)
        or not constant_time_compare(user.get_session_auth_hash(), data.get("hash", ""))
    ):
        del request.session[PENDING]
        return None
    user.backend = data["backend"]
    return user


def safe_next(request, url):
    """Where to go after signing in: `url` if it stays on this site, else the index."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def credentials(user):
    return {"username": user.get_username()}


def locked_out(request, user):
    """axes' 429 when this username+IP is locked, else None. Checked on every
    request of step 2, which never goes through authenticate()."""
    if AxesProxyHandler.is_allowed(request, credentials(user)):
        return None
    request.session.pop(PENDING, None)
    return get_lockout_response(request, None, credentials(user))


def count_failure(request, user):
    """A wrong code counts as a failed login for axes (username+IP lockout)."""
    user_login_failed.send(sender=__name__, credentials=credentials(user), request=request)
    if getattr(request, "axes_locked_out", False):
        # AxesMiddleware turns this response into the 429; the sign-in is over.
        request.session.pop(PENDING, None)


def finish(request, user, device):
    """Both factors passed: log in (axes resets the failures now) and mark the
    session verified by `device`."""
    data = request.session.pop(PENDING)
    login(request, user, user.backend)
    django_otp.login(request, device)
    return safe_next(request, data.get("next"))


def start_again(request):
    messages.info(request, "Please sign in again: the sign-in took longer than five minutes.")
    return redirect("admin:login")


def context(request, **extra):
    return {**admin.site.each_context(request), **extra}


def throttled_message(error):
    return (
        f"Too many wrong codes in a row. Wait {error.seconds} second"
        f"{'s' if error.seconds != 1 else ''}, then try again."
    )


sign_in_step = [
    sensitive_post_parameters("code", "recovery_code"),
    csrf_protect,
    never_cache,
    require_http_methods(["GET", "POST"]),
]


def decorate(view):
    for decorator in reversed(sign_in_step):
        view = decorator(view)
    return view


@decorate
def verify(request):
    """Step 2 for someone with an app: a code from it, or a recovery code."""
    user = pending_user(request)
    if user is None:
        return start_again(request)
    if not devices.has_app(user):
        return redirect("admin:staff_enrol")
    if response := locked_out(request, user):
        return response
    app_form, recovery_form = AppCodeForm(), RecoveryCodeForm()
    if request.method == "POST":
        recovery = "recovery_code" in request.POST
        form = RecoveryCodeForm(request.POST) if recovery else AppCodeForm(request.POST)
        if recovery:
            recovery_form = form
        else:
            app_form = form
        device = None
        if form.is_valid():
            field = "recovery_code" if recovery else "code"
            model = StaticDevice if recovery else TOTPDevice
            try:
                device = devices.verify(user, form.cleaned_data[field], model)
            except devices.Throttled as error:
                form.add_error(field, throttled_message(error))
            else:
                if device is None:
                    form.add_error(
                        field,
                        "That recovery code is not right, or it was used already."
                        if recovery
                        else "That code is not right. Check the app shows this site's "
                        "account, and type the code it shows now.",
                    )
        if device is not None:
            next_url = finish(request, user, device)
            if recovery:
                left = devices.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. Lost your phone? "
                    "Set up the new one on the two-factor page (under your name at the top).",
                )
            return HttpResponseRedirect(next_url)
        count_failure(request, user)
    return TemplateResponse(
        request,
        "admin/staff/verify.html",
        context(request, title="Sign-in code", app_form=app_form, recovery_form=recovery_form,
                staff_user=user),
    )  # fmt: skip


@decorate
def enrol(request):
    """Set up an authenticator app: at the first sign-in (the pending user, after
    the password) or, signed in and verified, to replace a lost or new phone."""
    user = pending_user(request)
    replacing = user is None and admin.site.has_permission(request)
    if replacing:
        user = request.user
    elif user is None:
        return start_again(request)
    elif devices.has_app(user):
        # Never a new app on a password alone for someone who has one.
        return redirect("admin:staff_verify")
    elif response := locked_out(request, user):
        return response

    # The unconfirmed device belongs to this session: a secret shown to anyone
    # else (another session with the password) is deleted, never confirmed.
    device = TOTPDevice.objects.filter(
        pk=request.session.get("staff_2fa_enrol"), user=user, confirmed=False
    ).first()
    if device is None:
        device = devices.new_app(user)
        request.session["staff_2fa_enrol"] = device.pk
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        allowed, info = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", throttled_message(devices.Throttled.of(info)))
        elif device.verify_token(form.cleaned_data["code"]):
            return enrolled(request, user, device, replacing)
        else:
            form.add_error(
                "code",
                "That code is not right. Type the code the app shows now; "
                "if it keeps failing, check the phone's clock is set automatically.",
            )
    if form.is_bound and not replacing:
        count_failure(request, user)
    return TemplateResponse(
        request,
        "admin/staff/enrol.html",
        context(request, title="Set up two-factor sign-in", form=form, device=device,
                qr=devices.qr_data_uri(device), secret=devices.secret(device),
                replacing=replacing, staff_user=user),
    )  # fmt: skip


def enrolled(request, user, device, replacing):
    request.session.pop("staff_2fa_enrol", None)
    devices.confirm_app(device)
    if replacing:
        django_otp.login(request, device)
        messages.success(
            request, "Your new authenticator app is set up; the old one stops working."
        )
        return redirect("admin:staff_two_factor")
    next_url = finish(request, user, device)
    _, codes = devices.new_recovery_codes(user)
    request.session[NEW_CODES] = {"codes": codes, "next": next_url}
    return redirect("admin:staff_recovery_codes")


def two_factor(request):
    """The signed-in staff member's own second factors: new recovery codes, a new app."""
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") != "recovery-codes":
            raise BadRequest("Unknown action.")
        device, codes = devices.new_recovery_codes(user)
        if isinstance(user.otp_device, StaticDevice):
            # The session was verified by the set just deleted; keep it verified.
            django_otp.login(request, device)
        request.session[NEW_CODES] = {"codes": codes, "next": reverse("admin:staff_two_factor")}
        return redirect("admin:staff_recovery_codes")
    return TemplateResponse(
        request,
        "admin/staff/two_factor.html",
        context(request, title="Two-factor sign-in",
                apps=TOTPDevice.objects.filter(user=user, confirmed=True),
                codes_left=devices.recovery_codes_left(user)),
    )  # fmt: skip


def recovery_codes(request):
    """New recovery codes, shown once (they are not kept anywhere readable)."""
    shown = request.session.pop(NEW_CODES, None)
    if not isinstance(shown, dict):
        messages.info(request, "Recovery codes are shown only once. You can make a new set here.")
        return redirect("admin:staff_two_factor")
    return TemplateResponse(
        request,
        "admin/staff/recovery_codes.html",
        context(request, title="Your recovery codes", codes=shown["codes"],
                next=safe_next(request, shown.get("next"))),
    )  # fmt: skip
