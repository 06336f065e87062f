"""`manage.py enrol_2fa [USERNAME]`: set up a staff member's authenticator app in
the terminal (`make admin` runs it after createsuperuser). Without a username:
the newest superuser who has no app yet. Prints the QR code and the setup key,
asks for a code, then prints the ten recovery codes. Without a terminal, or if
the code is skipped, the app is set up at the first sign-in in the browser."""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from careerguide.staff import devices

TRIES = 3


class Command(BaseCommand):
    help = "Set up a staff member's authenticator app in the terminal (two-factor sign-in)."
    # Tests feed the answers (as createsuperuser's `stdin`).
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "username", nargs="?", help="Default: the newest superuser without an app."
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Do not ask for a code: only say what happens at the first sign-in.",
        )  # fmt: skip

    def handle(self, *args, username=None, interactive=True, **options):
        if not settings.STAFF_2FA_REQUIRED:
            self.stdout.write(
                "Two-factor sign-in is off (STAFF_2FA_REQUIRED=false): nothing to set up."
            )
            return
        user = self.pick(username)
        if user is None:
            self.stdout.write("Every superuser has an authenticator app already.")
            return
        name = user.get_username()
        stdin = options.get("stdin")
        if not interactive or (stdin is None and not sys.stdin.isatty()):
            self.later(name)
            return
        stdin = stdin or sys.stdin
        device = devices.new_app(user)
        self.stdout.write(
            f"\nTwo-factor sign-in for {name}. Scan this QR code with an authenticator app "
            "(Google Authenticator, Microsoft Authenticator, FreeOTP, 2FAS …):\n"
        )
        self.stdout.write(devices.qr_terminal(device))
        self.stdout.write(
            f"\nCannot scan it? Enter this setup key (time-based): {devices.secret(device)}\n"
        )
        for _ in range(TRIES):
            self.stdout.write("Code the app shows (Enter to skip): ", ending="")
            self.stdout.flush()
            code = stdin.readline().strip().replace(" ", "")
            if not code:
                break
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return self.done(user, device)
            self.stdout.write("That code is not right; wait for the next one and try again.")
        device.delete()
        self.later(name)

    def pick(self, username):
        User = get_user_model()
        if username:
            try:
                user = User.objects.get_by_natural_key(username)
            except User.DoesNotExist:
                raise CommandError(f"No user is called {username!r}.") from None
            if devices.has_app(user):
                raise CommandError(
                    f"{username} has an authenticator app already. To replace it, sign in "
                    f"and use the two-factor page, or run `manage.py reset_2fa {username}`."
                )
            return user
        with_app = TOTPDevice.objects.filter(confirmed=True).values("user")
        return (
            User.objects.filter(is_superuser=True, is_active=True)
            .exclude(pk__in=with_app)
            .order_by("-date_joined", "-pk")
            .first()
        )

    def later(self, name):
        self.stdout.write(
            f"{name} sets up an authenticator app at their first sign-in in the browser "
            "(after the password, the admin shows a QR code)."
        )

    def done(self, user, device):
        devices.confirm_app(device)
        _, codes = devices.new_recovery_codes(user)
        self.stdout.write(self.style.SUCCESS("\nThe authenticator app is set up."))
        self.stdout.write(
            "Recovery codes: save them now, away from the phone. If it is lost, each "
            "signs in once instead of a code from the app. They are not shown again.\n"
        )
        for code in codes:
            self.stdout.write(f"  {code}")
        self.stdout.write("")
