"""The starter content, for code that needs it (tests, the bench): the fixtures
in fixtures/starter/ and their loader are `manage.py load_starter_content`."""

from django.core.management import call_command

from careerguide.management.commands.load_starter_content import STARTER_DIR


def load(directory=STARTER_DIR):
    """Load the starter content into a fresh database, once; CommandError if it
    was loaded before."""
    call_command("load_starter_content", strict=True, directory=directory, verbosity=0)
