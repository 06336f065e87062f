"""Uploads waiting for "Confirm import" (django-import-export), for every
admin that imports.

The library keeps an upload between the preview and the confirmation under a
name that the confirm form carries back. Its default storage takes that name
as a file in the system temp folder, so a forged form read any file there as
import data, and then deleted it. Here instead:

- `UploadStorage` keeps the upload in the default cache (Redis in production,
  shared by every app server; a file cache on a laptop) for an hour, under
  "<uploader's pk>-<32 random hex digits>". It reads only the names of the
  user it was made for (`IMPORT_EXPORT_TMP_STORAGE_CLASS` names it).
- `ImportUploadsMixin` tells the storage who is importing, and answers a
  confirmation whose name is malformed, another user's, expired or missing
  with 400 and the upload form again, before anything is read or deleted.
- `check_import_admins` (a system check) fails when the setting names another
  storage, or an import admin lacks the mixin.
"""

import contextvars
import copy
import logging
import re
import secrets

from django.conf import settings
from django.contrib import admin
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.module_loading import import_string
from import_export.admin import ImportMixin
from import_export.tmp_storages import BaseStorage

logger = logging.getLogger(__name__)

# Long enough to read a big preview; an upload not confirmed by then is gone.
LIFETIME_SECONDS = 60 * 60
NAME = re.compile(r"(?P<user>[0-9]+)-[0-9a-f]{32}")

UPLOAD_AGAIN = (
    "This import can no longer be confirmed: an upload waits one hour for its "
    "confirmation, is confirmed once, and only by the person who uploaded it. "
    "Nothing was imported. Upload the file again."
)
STORE_DOWN = (
    "The upload could not be kept for the confirmation right now, so nothing was "
    "imported. Try again in a few minutes."
)


class UploadMissing(Exception):
    """The name is malformed, another user's, or names no stored upload."""


class UploadStoreDown(Exception):
    """The cache could not be read or written."""


class UploadStorage(BaseStorage):
    """An upload in the default cache, named "<user pk>-<random>", readable
    only by the user it was made for (`user`, required)."""

    KEY_PREFIX = "import-upload:"

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        if user is None or not user.is_authenticated:
            # Without a user every name would be everybody's.
            raise ImproperlyConfigured(
                "UploadStorage needs the importing user: add ImportUploadsMixin to the admin."
            )
        self.owner = str(user.pk)
        if self.name is not None and not self.owns(self.name):
            raise UploadMissing(self.name)

    def owns(self, name):
        match = NAME.fullmatch(name or "")
        return bool(match) and match["user"] == self.owner

    @property
    def key(self):
        return self.KEY_PREFIX + self.name

    def save(self, data):
        if self.name is None:
            self.name = f"{self.owner}-{secrets.token_hex(16)}"
        self._cache(cache.set, self.key, data, LIFETIME_SECONDS)

    def exists(self):
        return self._cache(cache.has_key, self.key)

    def read(self):
        data = self._cache(cache.get, self.key)
        if data is None:
            raise UploadMissing(self.name)
        # As the library's temp file would be read: text formats get text.
        if isinstance(data, bytes) and "b" not in self.read_mode:
            data = data.decode(self.encoding or "utf-8")
        return data

    def remove(self):
        # After a confirmed import: failing here must not report the import as
        # failed, and the entry expires anyway.
        try:
            self._cache(cache.delete, self.key)
        except UploadStoreDown as error:
            logger.warning("Import upload not removed (it expires): %s", error)

    @staticmethod
    def _cache(operation, *args):
        try:
            return operation(*args)
        except Exception as error:  # Redis down, a full disk: whatever the backend raises
            raise UploadStoreDown(str(error)) from error


# Who is importing, for the storage: the library builds it with no request.
_uploader = contextvars.ContextVar("import_uploader", default=None)


class ImportUploadsMixin:
    """For a `ModelAdmin` with django-import-export's import (list it first):
    uploads keyed by their uploader, and a confirmation that names no upload of
    the user's answers 400 with the upload form."""

    def get_tmp_storage_class_kwargs(self):
        return {**super().get_tmp_storage_class_kwargs(), "user": _uploader.get()}

    def import_action(self, request, **kwargs):
        token = _uploader.set(request.user)
        try:
            return super().import_action(request, **kwargs)
        except UploadStoreDown as error:
            logger.error("Import upload not stored: %s", error)
            return self._upload_again(request, STORE_DOWN, status=503)
        finally:
            _uploader.reset(token)

    def process_import(self, request, **kwargs):
        token = _uploader.set(request.user)
        try:
            # The library answers a GET (405) and a user without the
            # permission (403) itself, before reading anything.
            if request.method == "POST" and self.has_import_permission(request):
                problem = self._confirmation_problem(request)
                if problem:
                    logger.warning("Import confirmation refused: %s", problem)
                    return self._upload_again(request, UPLOAD_AGAIN, status=400)
            return super().process_import(request, **kwargs)
        except UploadMissing:  # expired between the check and the read
            return self._upload_again(request, UPLOAD_AGAIN, status=400)
        except UploadStoreDown as error:
            logger.error("Import upload not read: %s", error)
            return self._upload_again(request, STORE_DOWN, status=503)
        finally:
            _uploader.reset(token)

    def _confirmation_problem(self, request):
        """Why the confirm form names no upload of this user, or None."""
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return f"incomplete form ({', '.join(form.errors)})"
        # The library would index its lists with these: 500 on a forged one.
        choice = form.cleaned_data["format"]
        if not (choice.isdigit() and int(choice) < len(self.get_import_formats())):
            return "unknown format"
        resource = form.cleaned_data.get("resource") or "0"
        if not (
            resource.isdigit() and int(resource) < len(self.get_import_resource_classes(request))
        ):
            return "unknown resource"
        storage_class = self.get_tmp_storage_class()
        if not issubclass(storage_class, UploadStorage):
            return None  # another storage checks its own names (check_import_admins says so)
        # The name as posted: the form's cleaning would strip a path off it.
        name = request.POST["import_file_name"]
        try:
            storage = storage_class(name=name, **self.get_tmp_storage_class_kwargs())
        except UploadMissing:
            return "malformed name, or another user's"
        if not storage.exists():
            return "no such upload (expired or confirmed already)"
        return None

    def _upload_again(self, request, message, status):
        """The upload form, as a GET shows it, with `message` above it."""
        fresh = copy.copy(request)
        fresh.method = "GET"
        fresh.POST = QueryDict()
        fresh._files = MultiValueDict()
        response = self.import_action(fresh)
        response.context_data["upload_error"] = message
        response.status_code = status
        return response


@checks.register(checks.Tags.security)
def check_import_admins(app_configs=None, **kwargs):
    """The confirm step is safe only with `UploadStorage` and the mixin."""
    errors = []
    configured = getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", None)
    storage_class = import_string(configured) if isinstance(configured, str) else configured
    if not (isinstance(storage_class, type) and issubclass(storage_class, UploadStorage)):
        errors.append(
            checks.Error(
                "IMPORT_EXPORT_TMP_STORAGE_CLASS must name roadmaps.importing.UploadStorage: "
                "other storages let a confirm form name any upload or file.",
                id="roadmaps.E001",
            )
        )
    for site in admin.sites.all_sites:
        for model_admin in site._registry.values():
            if isinstance(model_admin, ImportMixin) and not isinstance(
                model_admin, ImportUploadsMixin
            ):
                errors.append(
                    checks.Error(
                        f"{type(model_admin).__name__} imports without ImportUploadsMixin.",
                        hint="List roadmaps.importing.ImportUploadsMixin first in its bases.",
                        obj=type(model_admin),
                        id="roadmaps.E002",
                    )
                )
    return errors
