"""A local S3 for tests: moto's server in a thread on a free loopback port, spoken to over real HTTP by
boto3 (through django-storages) exactly as a production S3-compatible service would be."""
import json

import boto3
from moto.server import ThreadedMotoServer

from mrm.settings.file_storage import storages_setting

PUBLIC_BUCKET = "mrm-test-public"
PRIVATE_BUCKET = "mrm-test-private"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}


class FakeS3:
    def __init__(self):
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    def start(self) -> "FakeS3":
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint_url, **CREDENTIALS)

    def reset(self) -> None:
        """Fresh, empty buckets; the public one readable by anyone (the policy production needs too)."""
        s3 = self.client()
        for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
            try:
                for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                    s3.delete_object(Bucket=bucket, Key=obj["Key"])
            except s3.exceptions.NoSuchBucket:
                s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=PUBLIC_BUCKET, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{PUBLIC_BUCKET}/*"}]}))

    def keys(self, bucket: str) -> list[str]:
        return [o["Key"] for o in self.client().list_objects_v2(Bucket=bucket).get("Contents", [])]

    def storages(self, *, public_url: str = "") -> dict:
        """The STORAGES setting the app builds from STORAGE_BACKEND=s3 and the S3_* variables."""
        return storages_setting(backend="s3", endpoint_url=self.endpoint_url, bucket_public=PUBLIC_BUCKET,
                                bucket_private=PRIVATE_BUCKET, access_key_id=CREDENTIALS["aws_access_key_id"],
                                secret_access_key=CREDENTIALS["aws_secret_access_key"],
                                region=CREDENTIALS["region_name"], public_url=public_url, addressing_style="path")
