"""S3-compatible object storage through boto3: AWS S3, Cloudflare R2, Backblaze B2, MinIO...

Credentials come only from boto3's standard chain (environment variables, the AWS
config files and `[publish] profile`, instance roles), never from castnotes.toml.
Files go through boto3's transfer manager: multipart above 16 MB, parts in parallel,
each request retried with backoff (botocore's "standard" retry mode). Several files
are sent at once; commands/publish.py waits for a whole phase before the next one.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, Callable

from castnotes import __version__
from castnotes.errors import CastnotesError
from castnotes.model import PublishSettings
from castnotes.publish.plan import MANIFEST_PATH, ByteProgress, RemoteObject, SiteFile

INSTALL_HINT = "install S3 support with: pip install 'castnotes[s3]'"
PART_SIZE = 16 * 1024 * 1024
FILES_AT_ONCE = 8
ATTEMPTS = 5  # per request, with exponential backoff

try:  # boto3 is the optional `s3` extra
    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
except ImportError:  # pragma: no cover - exercised by the test that hides boto3
    boto3 = None


class S3Target:
    """One bucket and key prefix. `requests` counts HTTP requests, retries included."""

    def __init__(self, label: str, bucket: str, prefix: str, settings: PublishSettings) -> None:
        if boto3 is None:
            raise CastnotesError.single(f"publishing to {label} needs boto3, which is not installed",
                                        hint=INSTALL_HINT)
        self.label = label
        self.bucket = bucket
        self.prefix = prefix + "/" if prefix else ""
        self.endpoint = settings.endpoint_url or "AWS S3"
        self.requests = 0
        self._lock = threading.Lock()
        try:
            session = boto3.session.Session(profile_name=settings.profile)
        except ProfileNotFound:
            raise CastnotesError.single(f"the AWS profile {settings.profile!r} is not in the AWS config files",
                                        hint="add it to ~/.aws/credentials or correct [publish] profile") from None
        options: dict[str, Any] = {
            "retries": {"max_attempts": ATTEMPTS, "mode": "standard"},
            "connect_timeout": 10, "read_timeout": 60,
            "user_agent_extra": f"castnotes/{__version__}",
            "max_pool_connections": FILES_AT_ONCE * 4,
            # S3-compatible stores (R2, B2, MinIO) address buckets by path and do not all take
            # the checksums newer boto3 adds to every upload
            "s3": {"addressing_style": "path"} if settings.endpoint_url else {},
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
        try:
            config = Config(**options)
        except TypeError:  # a botocore from before the checksum options
            options.pop("request_checksum_calculation")
            options.pop("response_checksum_validation")
            config = Config(**options)
        self.client = session.client("s3", endpoint_url=settings.endpoint_url,
                                     region_name=settings.region, config=config)
        self.client.meta.events.register("before-send.s3", self._count)
        self.transfer = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE,
                                       max_concurrency=4, use_threads=True)

    def _count(self, **_: Any) -> None:
        with self._lock:
            self.requests += 1

    def connect(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line
            raise self._error(exc, "cannot use") from None

    def read_manifest(self) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_PATH)["Body"].read()
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise self._error(exc, "cannot read the manifest of") from None

    def upload(self, files: list[SiteFile], progress: ByteProgress | None) -> None:
        self._each(files, lambda file: self._put(file, progress), "the upload of")

    def _put(self, file: SiteFile, progress: ByteProgress | None) -> None:
        self.client.upload_file(
            str(file.source), self.bucket, self.prefix + file.path,
            ExtraArgs={"ContentType": file.content_type, "CacheControl": file.cache_control},
            Callback=progress, Config=self.transfer)

    def listing(self) -> dict[str, RemoteObject]:
        found = {}
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    found[item["Key"][len(self.prefix):]] = RemoteObject(item["Size"], item["ETag"].strip('"'))
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "cannot list the files of") from None
        return found

    def adopt(self, files: list[SiteFile]) -> None:
        self._each(files, self._set_headers, "setting the headers of")

    def _set_headers(self, file: SiteFile) -> None:
        """Give an object castnotes did not upload castnotes' headers, by copying it onto itself on
        the server (no bytes travel); one already right is left alone. S3 copies at most 5 GB in
        one request: a larger object keeps the headers it has."""
        key = self.prefix + file.path
        now = self.client.head_object(Bucket=self.bucket, Key=key)
        if (now.get("ContentType"), now.get("CacheControl")) != (file.content_type, file.cache_control) \
                and file.size <= 5 * 1024 ** 3:
            self.client.copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                                    MetadataDirective="REPLACE", ContentType=file.content_type,
                                    CacheControl=file.cache_control)

    def _each(self, files: list[SiteFile], work: Callable[[SiteFile], None], doing: str) -> None:
        """`work` on each file, several at once; the first failure cancels the rest and is the error."""
        with ThreadPoolExecutor(max_workers=FILES_AT_ONCE) as pool:
            futures = {pool.submit(work, f): f for f in files}
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                for future in futures:
                    future.cancel()
                exc = failed[0].exception()
                raise self._error(exc, f"{doing} {futures[failed[0]].path} failed for") from None

    def write_manifest(self, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_PATH, Body=data,
                                   ContentType="application/json", CacheControl="no-store")
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "cannot write the manifest to") from None

    def delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": self.prefix + p} for p in paths[start:start + 1000]]
            try:
                answer = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            except Exception as exc:  # noqa: BLE001
                raise self._error(exc, "cannot delete from") from None
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise CastnotesError.single(
                    f"cannot delete {first.get('Key')} from {self.label}: {first.get('Message')}",
                    hint="check that the credentials may delete objects")

    def _error(self, exc: BaseException, doing: str) -> CastnotesError:
        """One line for the host: what failed, on which target, and what to do."""
        where = f"{self.label} ({self.endpoint})"
        if isinstance(exc, CastnotesError):
            return exc
        if isinstance(exc, NoCredentialsError):
            return CastnotesError.single(
                f"{doing} {where}: no AWS credentials found",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / [publish] profile")
        code, status = _code(exc)
        if code in ("404", "NoSuchBucket"):
            return CastnotesError.single(f"{doing} {where}: the bucket {self.bucket!r} does not exist",
                                         hint="create the bucket, or correct [publish] target")
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
                    "ExpiredToken", "Forbidden", "Unauthorized", "401") or status in (401, 403):
            return CastnotesError.single(
                f"{doing} {where}: the credentials were refused ({code or status})",
                hint="check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and that the key "
                     "may read and write this bucket")
        if code in ("301", "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"):
            return CastnotesError.single(f"{doing} {where}: the bucket is in another region",
                                         hint="set [publish] region to the bucket's region")
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, (BotoCoreError, ClientError)) or "S3UploadFailedError" in type(exc).__name__:
            return CastnotesError.single(
                f"{doing} {where}: {text}",
                hint="check the endpoint and your connection, then run `castnotes publish` again: "
                     "it sends only what is missing, and the old feed stays live until then")
        return CastnotesError.single(f"{doing} {where}: {type(exc).__name__}: {text}",
                                     hint="run `castnotes publish` again")


def _code(exc: BaseException) -> tuple[str, int | None]:
    """The S3 error code and HTTP status of a ClientError (also when wrapped by the transfer manager)."""
    seen = exc
    for _ in range(3):
        if isinstance(seen, ClientError):
            error = seen.response.get("Error", {})
            return str(error.get("Code", "")), seen.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        seen = seen.__cause__ or seen.__context__
        if seen is None:
            break
    return "", None
