"""Two-factor sign-in in a real browser: the password, enrolment from the setup
key the page shows, the recovery codes, the admin index; then the code step of the
next sign-in. No console or CSP errors, axe clean, screenshots at 375 and 1280 px."""

import re
from base64 import b32decode

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import expect

from .conftest import ARTIFACTS
from .test_axe import axe_problems

WIDTHS = {"375x812": (375, 812), "1280x800": (1280, 800)}


def shoot(page, name):
    """Screenshots of the page at both widths, into test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=ARTIFACTS / f"two-factor-{name}-{label}.png", full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner, f"{name} at {label} scrolls sideways ({scroll} > {inner})"
    page.set_viewport_size({"width": 1280, "height": 800})


class Settled:
    """The page, waiting after each colour-scheme switch: the admin's links fade
    their colour over 0.15 s, and axe must not measure them halfway."""

    def __init__(self, page):
        self._page = page

    def emulate_media(self, **kwargs):
        self._page.emulate_media(**kwargs)
        self._page.wait_for_timeout(300)

    def __getattr__(self, name):
        return getattr(self._page, name)


def check_page(page, name, errors):
    reports, low_contrast = axe_problems(Settled(page), f"two-factor {name}")
    assert not reports, "\n".join(reports)
    assert not low_contrast, low_contrast
    shoot(page, name)
    assert not errors, errors


def sign_in_with_password(page, site):
    page.goto(site + reverse("admin:login"))
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill("a long staff password")
    page.get_by_role("button", name="Log in").click()


def test_sign_in_enrol_and_sign_in_again(browser, site):
    user = User.objects.create_user("kim", password="a long staff password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in_with_password(page, site)
    expect(page).to_have_url(site + reverse("admin:staff_enrol"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    check_page(page, "enrol", errors)
    secret = page.locator(".secret code").inner_text()
    key = b32decode(secret.replace(" ", ""))
    page.get_by_label("Code from your authenticator app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Finish setup").click()

    expect(page).to_have_url(site + reverse("admin:staff_recovery_codes"))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    check_page(page, "recovery-codes", errors)
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page).to_have_url(site + reverse("admin:index"))
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_text("9 of 10 left")).to_have_count(0)
    expect(page.get_by_text("10 of 10 left.")).to_be_visible()
    check_page(page, "settings", errors)

    page.get_by_role("button", name="Log out").click()
    sign_in_with_password(page, site)
    expect(page).to_have_url(site + reverse("admin:staff_verify"))
    check_page(page, "code", errors)
    page.get_by_text("Lost your phone? Use a recovery code").click()
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("not right")
    check_page(page, "code-wrong", errors)
    context.close()
