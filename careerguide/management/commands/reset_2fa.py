"""`manage.py reset_2fa USERNAME`: for a staff member who lost their phone and
their recovery codes. Deletes their authenticator app and recovery codes and ends
their sessions; at their next sign-in they set up an app again (docs/DEPLOY.md).
Check who is asking out of band first: after this, their password alone is
enough to set up a new app."""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from careerguide.staff import devices


class Command(BaseCommand):
    help = "Delete a staff member's two-factor devices; they set up an app at next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        with transaction.atomic():
            count = devices.delete_all(user)
            ended = end_sessions(user)
        self.stdout.write(
            f"Deleted {count} two-factor device{'s' if count != 1 else ''} of {username} "
            f"(authenticator app and recovery codes) and ended {ended} session"
            f"{'s' if ended != 1 else ''}. At their next sign-in they set up an "
            "authenticator app again."
        )


def end_sessions(user):
    """Sign `user` out everywhere (database sessions, the site's engine)."""
    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
