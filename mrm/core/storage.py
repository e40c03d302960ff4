"""Where uploaded and generated files live: two storages (``settings.STORAGES``), chosen per field.

* ``public`` — agency logos, team photos and case images. They appear on staff pages, the public brief
  form and the proposal web view, so they are served by the storage's own URL: locally ``MEDIA_URL`` (the
  ``public_file`` view in mrm.core.views, which works with DEBUG off), on S3 the bucket or CDN address.
  Their names carry a random token, so one file's URL says nothing about another's.
* ``private`` — client files, brief attachments, generated PDFs, job results and import files. A private
  file has no URL at all: ``url()`` raises :class:`PrivateFileURLError`, so it can only reach a browser
  through a permission-checked download view that answers ``Content-Disposition: attachment``. Locally it
  lives in ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, so a proxy serving ``/media/`` cannot expose it.

Models pass :func:`public_storage` / :func:`private_storage` as ``storage=``. Both return a lazy proxy that
looks the alias up in ``django.core.files.storage.storages`` when used (and again after
``override_settings(STORAGES=...)``), so tests and settings can switch the backend under existing fields.
"""
import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

PUBLIC = "public"
PRIVATE = "private"


class PrivateFileURLError(AttributeError):
    """Raised by ``url()`` of a private storage: private files are served only by permission-checked views.

    An AttributeError, so code that asks "has this file a URL?" (the admin's file widget, a template) sees
    none and shows no link, instead of failing."""


class NoURLMixin:
    def url(self, name, *args, **kwargs):
        raise PrivateFileURLError(f"private files have no URL; serve {name!r} through a download view")


class PrivateFileSystemStorage(NoURLMixin, FileSystemStorage):
    """Local private files under ``settings.PRIVATE_MEDIA_ROOT`` (follows the setting, as MEDIA_ROOT is followed)."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class _AliasedStorage(LazyObject):
    alias = ""

    def _setup(self):
        self._wrapped = storages[self.alias]


class _PublicStorage(_AliasedStorage):
    alias = PUBLIC


class _PrivateStorage(_AliasedStorage):
    alias = PRIVATE


_public = _PublicStorage()
_private = _PrivateStorage()


def public_storage():
    """The storage of files anyone with the link may see (logos, team photos, case images)."""
    return _public


def private_storage():
    """The storage of files served only through permission-checked views."""
    return _private


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _public._wrapped = empty
        _private._wrapped = empty


def public_file_name(prefix: str, filename: str) -> str:
    """``<prefix>/<random token><ext>``: a public file's name is unguessable and never reuses an upload's name."""
    ext = os.path.splitext(filename or "")[1].lower()[:10]
    return f"{prefix.strip('/')}/{secrets.token_urlsafe(18)}{ext}"


def relocate_legacy_files(model, field_name: str) -> int:
    """Move the files of ``model.field_name`` saved before the public/private split (all in MEDIA_ROOT, through
    the old default storage) into the field's storage; returns how many moved. Used by data migrations.

    Locally, public files are already where they belong (MEDIA_ROOT is the public root) and are left alone;
    private ones leave MEDIA_ROOT, so nothing at MEDIA_URL can expose them. A file the target already has,
    or that is missing, is skipped, so running it again changes nothing."""
    from pathlib import Path

    field = model._meta.get_field(field_name)
    target = field.storage
    legacy = FileSystemStorage(location=settings.MEDIA_ROOT)
    target_location = getattr(target, "location", None) if isinstance(target, FileSystemStorage) else None
    if target_location is not None and Path(target_location).resolve() == Path(legacy.location).resolve():
        return 0
    moved = 0
    rows = model._base_manager.exclude(**{field_name: ""}).values_list("pk", field_name)
    for pk, name in rows.iterator():
        if not legacy.exists(name) or target.exists(name):
            continue
        with legacy.open(name, "rb") as fh:
            stored = target.save(name, fh, max_length=field.max_length)
        if stored != name:
            model._base_manager.filter(pk=pk).update(**{field_name: stored})
        legacy.delete(name)
        moved += 1
    return moved


def relocate_legacy_files_operation(*fields: tuple[str, str, str]):
    """A ``RunPython`` moving legacy files of (app_label, model_name, field_name) triples; no-op backwards."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        for app_label, model_name, field_name in fields:
            relocate_legacy_files(apps.get_model(app_label, model_name), field_name)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
