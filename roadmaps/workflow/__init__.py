"""Drafts of live content, review by a publisher, and scheduled publishing.

An editor's change to a guide (with its inline rows), a story, a salary figure
or a site page can be kept as a **draft** instead of going live. The draft is a
snapshot of the object's rows as they will be after the change (`snapshot`);
the live tables change only when it is published (`services.publish`).
Previews and the admin form apply the snapshot inside a transaction that is
rolled back, so they show the draft exactly as the public page will look.
"""
