"""Email about review steps (Django's email framework; EMAIL_URL picks the backend).

Placeholder until the review emails are written: records nothing else."""


def event_recorded(event):
    """Called for every DraftEvent."""
