"""The S3-compatible backends of the two storages (django-storages + boto3); imported only when
``STORAGE_BACKEND=s3``, so local use needs no boto3 import."""
from storages.backends.s3 import S3Storage

from .storage import NoURLMixin


class PublicS3Storage(S3Storage):
    """Public bucket: plain (unsigned) URLs of the bucket or of ``S3_PUBLIC_URL`` (a CDN / custom domain)."""

    querystring_auth = False
    file_overwrite = False


class PrivateS3Storage(NoURLMixin, S3Storage):
    """Private bucket: no URLs at all (not even presigned ones); files are streamed by download views."""

    file_overwrite = False
