"""A staff member's second factors, on top of django-otp's models: one
authenticator app (TOTPDevice) and one set of recovery codes (StaticDevice).
Verification goes through the devices' own `verify_token`, so django-otp's
throttling (1, 2, 4, 8 … seconds after each wrong code) always applies."""

import io
from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class Throttled(Exception):
    """Every device that could check the code is waiting after wrong codes."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.seconds = seconds

    @classmethod
    def of(cls, *infos):
        """From verify_is_allowed()'s details: the shortest wait, in whole seconds."""
        untils = [info["locked_until"] for info in infos if info and info.get("locked_until")]
        if not untils:
            return cls(1)
        return cls(max(1, round((min(untils) - timezone.now()).total_seconds())))


def has_app(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify(user, code, model=TOTPDevice):
    """The confirmed device of `model` that accepts `code`, or None. Raises
    Throttled when django-otp refuses to check it yet."""
    with transaction.atomic():
        # Locked rows: two requests cannot both use one code.
        devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update())
        waits = []
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                waits.append(info)
                continue
            # A failure counts towards the device's throttle (saved by verify_token).
            if device.verify_token(code):
                return device
        if devices and len(waits) == len(devices):
            raise Throttled.of(*waits)
    return None


def new_app(user):
    """A fresh, unconfirmed TOTP device; earlier unconfirmed ones are dropped,
    so a secret that was shown once and abandoned never becomes valid."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def confirm_app(device):
    """Make `device` the user's only authenticator app."""
    TOTPDevice.objects.filter(user=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def new_recovery_codes(user):
    """Ten new recovery codes (the old ones stop working); returns (device, codes)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return device, codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def delete_all(user):
    """Every device of `user`; returns how many. They enrol again at next sign-in."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)


def secret(device):
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device):
    """The otpauth:// address as an SVG QR code in a data: URI (CSP: img-src data:).
    Black on white whatever the admin's theme, as scanners expect."""
    return segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, border=4, dark="#000", light="#fff"
    )


def qr_terminal(device):
    """The QR code as text for a terminal (half-block characters, two rows a line)."""
    out = io.StringIO()
    segno.make(device.config_url, error="m").terminal(out=out, compact=True)
    return out.getvalue()
