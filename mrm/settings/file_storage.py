"""The STORAGES setting: "public" and "private" file storages, on the local file system or on S3.

Plain data (nothing here imports a storage backend): base.py builds it from the environment and tests build
the S3 variant for a local S3 fake. See mrm/core/storage.py for which files go where.
"""
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

STATICFILES_LOCAL = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def storages_setting(*, backend: str = "local", staticfiles: dict | None = None, endpoint_url: str = "",
                     bucket_public: str = "", bucket_private: str = "", access_key_id: str = "",
                     secret_access_key: str = "", region: str = "", public_url: str = "",
                     addressing_style: str = "") -> dict:
    """STORAGES for ``backend`` "local" (MEDIA_ROOT public, PRIVATE_MEDIA_ROOT private) or "s3" (two buckets).

    "default" is the private storage, so a file saved without an explicit storage never becomes public.
    """
    if backend == "local":
        public = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # MEDIA_ROOT, served at MEDIA_URL
        private = {"BACKEND": "mrm.core.storage.PrivateFileSystemStorage"}  # PRIVATE_MEDIA_ROOT, no URL
    elif backend == "s3":
        if not (bucket_public and bucket_private) or bucket_public == bucket_private:
            raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs two different buckets: S3_BUCKET_PUBLIC and S3_BUCKET_PRIVATE.")
        common = {"endpoint_url": endpoint_url or None, "region_name": region or None,
                  "access_key": access_key_id or None, "secret_key": secret_access_key or None,
                  "addressing_style": addressing_style or None}
        public_options = {**common, "bucket_name": bucket_public}
        if public_url:
            # "https://cdn.example.com/files" -> protocol "https:", domain "cdn.example.com/files"
            parts = urlsplit(public_url.rstrip("/"))
            if not parts.scheme or not parts.netloc:
                raise ImproperlyConfigured("S3_PUBLIC_URL must be an absolute URL, e.g. https://cdn.example.com")
            public_options.update(url_protocol=f"{parts.scheme}:", custom_domain=parts.netloc + parts.path)
        public = {"BACKEND": "mrm.core.storage_s3.PublicS3Storage", "OPTIONS": public_options}
        private = {"BACKEND": "mrm.core.storage_s3.PrivateS3Storage",
                   "OPTIONS": {**common, "bucket_name": bucket_private}}
    else:
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}.")
    return {"default": private, "public": public, "private": private,
            "staticfiles": staticfiles or STATICFILES_LOCAL}
