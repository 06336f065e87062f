"""Two-factor sign-in for staff (careerguide/staff/): a password, then a code from
an authenticator app or a recovery code, with axes and django-otp throttling."""

import io
import re
import time
from base64 import b32decode

import django_otp
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.core.checks import registry
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from careerguide.checks import staff_two_factor
from careerguide.staff import devices
from careerguide.staff.views import PENDING
from tests.conftest import login_verified

PASSWORD = "a long staff password"


@pytest.fixture
def staff(db):
    user = User.objects.create_user("sam", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def app(staff):
    """sam's confirmed authenticator app."""
    return TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)


@pytest.fixture
def codes(staff):
    return devices.new_recovery_codes(staff)[1]


@pytest.fixture
def no_throttle(settings):
    """django-otp's 1, 2, 4 … second waits off, so wrong codes can follow each other."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_of(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password(client, username="sam", secret=PASSWORD, **extra):
    return client.post(reverse("admin:login"), {"username": username, "password": secret},
                       **extra)  # fmt: skip


def signed_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def failures(username="sam"):
    attempt = AccessAttempt.objects.filter(username=username).first()
    return attempt.failures_since_start if attempt else 0


def test_a_password_alone_does_not_open_the_admin(client, app):
    response = password(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:staff_verify")
    assert "_auth_user_id" not in client.session  # not logged in yet
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302 and index["Location"].startswith(reverse("admin:login"))


def test_a_session_without_a_second_factor_is_refused_and_ended(client, staff):
    client.force_login(staff)  # a password-only session (as after reset_2fa)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:salaries_salaryfigure_changelist")).status_code == 302
    page = client.get(reverse("admin:login"))
    assert page.status_code == 200 and b"not authorized" not in page.content
    assert "_auth_user_id" not in client.session


def test_enrolment_end_to_end(client, staff):
    response = password(client)
    assert response["Location"] == reverse("admin:staff_enrol")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="id_code">' in html
    shown = re.search(r'class="secret"[^>]*><code>([A-Z2-7 ]+)</code>', html).group(1)
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    key = b32decode(shown.replace(" ", ""))
    assert key == device.bin_key
    assert not signed_in(client)

    response = client.post(reverse("admin:staff_enrol"), {"code": f"{totp(key):06d}"})
    assert response["Location"] == reverse("admin:staff_recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response["Location"]).content.decode()
    shown_codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(shown_codes) == 10
    assert set(shown_codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert f'href="{reverse("admin:index")}"' in page  # Continue
    assert signed_in(client)
    # Shown once only.
    again = client.get(reverse("admin:staff_recovery_codes"))
    assert again["Location"] == reverse("admin:staff_two_factor")


def test_a_secret_shown_to_another_session_never_becomes_valid(staff):
    first, second = Client(), Client()
    password(first)
    first.get(reverse("admin:staff_enrol"))
    seen = TOTPDevice.objects.get(user=staff)
    password(second)  # e.g. someone else who has the password
    second.get(reverse("admin:staff_enrol"))
    assert not TOTPDevice.objects.filter(pk=seen.pk).exists()
    response = first.post(reverse("admin:staff_enrol"), {"code": f"{totp(seen.bin_key):06d}"})
    assert response.status_code == 200  # the form again
    assert not signed_in(first)
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_someone_with_an_app_cannot_enrol_another_on_a_password(client, app):
    password(client)
    response = client.get(reverse("admin:staff_enrol"))
    assert response["Location"] == reverse("admin:staff_verify")
    assert TOTPDevice.objects.filter(user=app.user).count() == 1


def test_app_code_signs_in_and_goes_to_next(client, app):
    target = reverse("admin:salaries_salaryfigure_changelist")
    client.get(reverse("admin:login"), {"next": target})
    response = client.post(reverse("admin:login"),
                           {"username": "sam", "password": PASSWORD, "next": target})  # fmt: skip
    assert response["Location"] == reverse("admin:staff_verify")
    page = client.get(reverse("admin:staff_verify"))
    assert b'autocomplete="one-time-code"' in page.content
    response = client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert response.status_code == 302 and response["Location"] == target
    assert client.session[django_otp.DEVICE_ID_SESSION_KEY] == app.persistent_id
    assert signed_in(client)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_cannot_leave_the_site(client, app, target):
    response = client.post(reverse("admin:login"),
                           {"username": "sam", "password": PASSWORD, "next": target})  # fmt: skip
    assert response.status_code == 302
    assert client.session[PENDING]["next"] == reverse("admin:index")
    # Checked again where it is used, whatever the session holds.
    session = client.session
    session[PENDING] = {**session[PENDING], "next": target}
    session.save()
    response = client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert response["Location"] == reverse("admin:index")


def test_a_recovery_code_works_once(client, app, codes, no_throttle):
    password(client)
    response = client.post(reverse("admin:staff_verify"), {"recovery_code": codes[0].upper()})
    assert response.status_code == 302 and signed_in(client)
    assert StaticToken.objects.count() == 9
    client.logout()
    password(client)
    response = client.post(reverse("admin:staff_verify"), {"recovery_code": codes[0]})
    assert response.status_code == 200
    assert "used already" in response.content.decode()
    assert not signed_in(client)


def test_wrong_codes_are_form_errors_counted_by_axes_until_429(client, app, settings, no_throttle):
    password(client, REMOTE_ADDR="203.0.113.7")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("admin:staff_verify"), {"code": "000000"},
                               REMOTE_ADDR="203.0.113.7")  # fmt: skip
        assert failures() == attempt
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert response.status_code == 200
            assert "That code is not right" in response.content.decode()
    assert response.status_code == 429
    # Locked out: the sign-in is over, and the password step refuses too.
    right = client.post(reverse("admin:staff_verify"), {"code": code_of(app)},
                        REMOTE_ADDR="203.0.113.7")  # fmt: skip
    assert right.status_code == 302 and right["Location"] == reverse("admin:login")
    assert password(client, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert not signed_in(client)


def test_a_pending_sign_in_from_a_locked_address_answers_429(client, app, settings):
    password(client, REMOTE_ADDR="203.0.113.7")
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):  # wrong passwords elsewhere, same IP
        password(other, secret="wrong guess", REMOTE_ADDR="203.0.113.7")
    response = client.post(reverse("admin:staff_verify"), {"code": code_of(app)},
                           REMOTE_ADDR="203.0.113.7")  # fmt: skip
    assert response.status_code == 429
    assert not signed_in(client)


def test_axes_forgets_failures_only_after_the_second_factor(client, app):
    password(client, secret="wrong guess")
    password(client, secret="wrong again")
    assert failures() == 2
    assert password(client).status_code == 302
    assert failures() == 2  # a right password alone resets nothing
    client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert signed_in(client)
    assert failures() == 0


def test_django_otp_throttles_guessing(client, app):
    password(client)
    client.post(reverse("admin:staff_verify"), {"code": "000000"})
    app.refresh_from_db()
    assert app.throttling_failure_count == 1
    # Even the right code is refused while the device waits.
    response = client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert not signed_in(client)
    TOTPDevice.objects.filter(pk=app.pk).update(throttling_failure_timestamp="2000-01-01T00:00Z")
    client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert signed_in(client)


def test_a_pending_sign_in_expires(client, app, settings):
    password(client)
    session = client.session
    session[PENDING] = {
        **session[PENDING],
        "at": time.time() - settings.STAFF_2FA_PENDING_SECONDS - 1,
    }
    session.save()
    response = client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert response.status_code == 302 and response["Location"] == reverse("admin:login")
    assert not signed_in(client)
    assert "took longer than five minutes" in client.get(reverse("admin:login")).content.decode()


def test_a_password_change_between_the_steps_cancels_the_sign_in(client, app, staff):
    password(client)
    staff.set_password("another long password")
    staff.save()
    client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    assert not signed_in(client)


def test_the_steps_need_a_password_first(client, app):
    for name in ["admin:staff_verify", "admin:staff_enrol"]:
        response = client.post(reverse(name), {"code": code_of(app)})
        assert response["Location"] == reverse("admin:login"), name
    assert not signed_in(client)


def test_with_2fa_off_the_password_signs_in(client, staff, settings):
    settings.STAFF_2FA_REQUIRED = False
    response = password(client)
    assert response["Location"] == reverse("admin:index")
    assert signed_in(client)


def test_check_warns_when_2fa_is_off_with_https(settings):
    assert staff_two_factor in registry.registry.get_checks(include_deployment_checks=True)
    settings.HTTPS = True
    assert staff_two_factor() == []
    settings.STAFF_2FA_REQUIRED = False
    assert [w.id for w in staff_two_factor()] == ["careerguide.W003"]
    settings.HTTPS = False  # a laptop
    assert staff_two_factor() == []


def test_reset_2fa_deletes_devices_and_sessions(app, codes, staff):
    client = login_verified(Client(), staff)
    out = io.StringIO()
    call_command("reset_2fa", "sam", stdout=out)
    assert "Deleted 2 two-factor devices of sam" in out.getvalue()
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert not Session.objects.exists()
    assert not signed_in(client)
    # At the next sign-in they set up an app again.
    assert password(Client())["Location"] == reverse("admin:staff_enrol")
    with pytest.raises(CommandError):
        call_command("reset_2fa", "nobody")


class CodeFromTheApp:
    """A terminal where someone types the code their new app shows."""

    def readline(self):
        return code_of(TOTPDevice.objects.get(confirmed=False)) + "\n"


def test_enrol_2fa_in_the_terminal(db):
    User.objects.create_superuser("old", password=PASSWORD)
    TOTPDevice.objects.create(user=User.objects.get(username="old"), confirmed=True)
    admin = User.objects.create_superuser("root", password=PASSWORD)
    out = io.StringIO()
    call_command("enrol_2fa", stdin=CodeFromTheApp(), stdout=out)
    text = out.getvalue()
    assert "Two-factor sign-in for root" in text
    assert "▀" in text or "█" in text  # the QR code
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed
    assert devices.secret(device) in text
    printed = re.findall(r"^  ([a-z2-7]{8})$", text, re.M)
    assert sorted(printed) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert len(printed) == 10


def test_enrol_2fa_skipped_or_without_a_terminal_leaves_it_to_the_browser(db, settings):
    User.objects.create_superuser("root", password=PASSWORD)
    out = io.StringIO()
    call_command("enrol_2fa", stdin=io.StringIO("\n"), stdout=out)
    assert "at their first sign-in in the browser" in out.getvalue()
    assert not TOTPDevice.objects.exists()
    out = io.StringIO()
    call_command("enrol_2fa", stdout=out)  # pytest's stdin is no terminal
    assert "root sets up an authenticator app at their first sign-in" in out.getvalue()
    settings.STAFF_2FA_REQUIRED = False
    out = io.StringIO()
    call_command("enrol_2fa", stdout=out)
    assert "Two-factor sign-in is off" in out.getvalue()
    assert not TOTPDevice.objects.exists()


def test_device_admins_are_for_superusers_and_show_no_secrets(editor_client, app, codes):
    for name in [
        "admin:otp_totp_totpdevice_changelist",
        "admin:otp_static_staticdevice_changelist",
    ]:
        assert editor_client.get(reverse(name)).status_code == 403, name
    assert b"TOTP devices" not in editor_client.get(reverse("admin:index")).content
    root = User.objects.create_superuser("root", password=PASSWORD)
    client = login_verified(Client(), root)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[app.pk]))
    assert page.status_code == 200
    assert app.key not in page.content.decode()
    static = StaticDevice.objects.get(user=app.user)
    page = client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
    assert page.status_code == 200 and codes[0] not in page.content.decode()
    config = reverse("admin:otp_totp_totpdevice_config", args=[app.pk])
    assert client.get(config).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    deleted = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[app.pk]),
                          {"post": "yes"})  # fmt: skip
    assert deleted.status_code == 302 and not TOTPDevice.objects.filter(pk=app.pk).exists()


def test_new_recovery_codes_replace_the_old_and_keep_the_session(client, app, codes):
    password(client)
    client.post(reverse("admin:staff_verify"), {"recovery_code": codes[0]})
    assert signed_in(client)  # verified by the recovery-code device
    page = client.get(reverse("admin:staff_two_factor")).content.decode()
    assert "9 of 10 left" in page
    response = client.post(reverse("admin:staff_two_factor"), {"action": "recovery-codes"})
    assert response["Location"] == reverse("admin:staff_recovery_codes")
    new = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.get(response["Location"]).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(codes)
    assert not StaticToken.objects.filter(token__in=codes).exists()
    assert signed_in(client)  # the deleted set no longer verifies it, the new one does
    bad = client.post(reverse("admin:staff_two_factor"), {"action": "other"})
    assert bad.status_code == 400


def test_a_new_phone_replaces_the_app(editor_client, editor):
    old = TOTPDevice.objects.get(user=editor)
    page = editor_client.get(reverse("admin:staff_enrol"))
    assert page.status_code == 200 and b"Set up a new authenticator app" in page.content
    new = TOTPDevice.objects.get(user=editor, confirmed=False)
    response = editor_client.post(reverse("admin:staff_enrol"), {"code": code_of(new)})
    assert response["Location"] == reverse("admin:staff_two_factor")
    assert list(TOTPDevice.objects.filter(user=editor)) == [new]
    assert TOTPDevice.objects.get(pk=new.pk).confirmed and old.pk != new.pk
    assert signed_in(editor_client)


def test_step_pages_have_no_inline_script_or_style(client, app, codes):
    newcomer = Client()
    User.objects.create_user("new", password=PASSWORD, is_staff=True)
    password(newcomer, username="new")
    password(client)
    pages = [client.get(reverse("admin:staff_verify")),
             newcomer.get(reverse("admin:staff_enrol"))]  # fmt: skip
    client.post(reverse("admin:staff_verify"), {"code": code_of(app)})
    client.post(reverse("admin:staff_two_factor"), {"action": "recovery-codes"})
    pages += [client.get(reverse("admin:staff_recovery_codes")),
              client.get(reverse("admin:staff_two_factor"))]  # fmt: skip
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert "admin-ext/two-factor" in html  # the steps' stylesheet
