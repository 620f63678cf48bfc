"""`[publish] target` (or `--target`) -> the object that talks to it.

    s3://bucket/prefix/           S3-compatible object storage (s3.py, boto3)
    rsync://host/module/path      an rsync daemon (rsync.py)
    user@host:/srv/podcast/       a server over SSH, with rsync (rsync.py)
    rsync:///srv/podcast/         rsync to a folder on this machine, e.g. a mounted share
    /srv/podcast, ../www, file:///srv/podcast    a local folder, copied by castnotes (folder.py)

Every target does the same seven things, in the order commands/publish.py calls them;
`connect` checks everything it can (the bucket exists, the credentials work, the
server answers) before anything is written, so a wrong target leaves the remote untouched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from castnotes.errors import CastnotesError
from castnotes.model import Settings
from castnotes.publish.folder import FolderTarget
from castnotes.publish.plan import ByteProgress, RemoteObject, SiteFile
from castnotes.publish.rsync import RsyncTarget

TARGET_HINT = ("set [publish] target to s3://bucket/prefix/, user@host:/path/, rsync://host/module/path "
               "or a local folder")


class Target(Protocol):
    label: str  # the target as the host wrote it, for messages
    requests: int  # requests made to the remote (S3 HTTP requests; rsync runs)

    def connect(self) -> None:
        """Check the target is there and usable; raise CastnotesError (one line) if not."""

    def read_manifest(self) -> bytes | None:
        """The manifest the last publish left (plan.MANIFEST_PATH), or None."""

    def listing(self) -> dict[str, RemoteObject]:
        """What the target holds that castnotes' manifest may not list, for a first publish to a
        place another tool filled; {} where sending again costs little (rsync sends only what
        differs, a folder is on this machine)."""

    def adopt(self, files: list[SiteFile]) -> None:
        """Give these files, already at the target byte for byte, castnotes' headers."""

    def upload(self, files: list[SiteFile], progress: ByteProgress | None) -> None:
        """Send these files (one phase; any order among them), retrying what can be retried."""

    def write_manifest(self, data: bytes) -> None:
        """Replace the manifest (after each phase, so an interrupted publish resumes)."""

    def delete(self, paths: list[str]) -> None:
        """Delete these files at the target."""


SSH_TARGET = re.compile(r"^(?:[^@/\s:]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]*):(?!//)")


def open_target(text: str, settings: Settings) -> Target:
    """The target for `text`; a malformed one is a one-line error naming it."""
    text = text.strip()
    if not text:
        raise CastnotesError.single("no publish target", settings.config_path, hint=TARGET_HINT)
    if text.startswith("s3://"):
        from castnotes.publish.s3 import S3Target

        parts = urlsplit(text)
        if not parts.netloc or not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", parts.netloc):
            raise CastnotesError.single(f"the target {text!r} names no valid bucket", settings.config_path,
                                        hint="write s3://BUCKET/optional/prefix/ (bucket names are "
                                             "3-63 lowercase letters, digits, dots and hyphens)")
        return S3Target(text, parts.netloc, parts.path.strip("/"), settings.publish)
    if text.startswith("rsync:///"):
        return RsyncTarget(text, unquote(text[len("rsync://"):]))
    if text.startswith("rsync://"):
        if not urlsplit(text).netloc or len(urlsplit(text).path.strip("/")) == 0:
            raise CastnotesError.single(f"the target {text!r} names no rsync module",
                                        hint="write rsync://host/module/path/")
        return RsyncTarget(text, text)
    if SSH_TARGET.match(text) and not re.match(r"^[A-Za-z]:[\\/]", text):
        return RsyncTarget(text, text)
    if text.startswith("file://"):
        text = unquote(urlsplit(text).path)
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", text):
        raise CastnotesError.single(f"castnotes cannot publish to {text!r}", settings.config_path,
                                    hint=TARGET_HINT)
    folder = (settings.root / Path(text).expanduser()).resolve()
    if folder == settings.root or folder.is_relative_to(settings.output_dir) \
            or settings.output_dir.is_relative_to(folder):
        raise CastnotesError.single(f"the target folder {folder} overlaps the show or its built site",
                                    settings.config_path, hint="publish to a folder outside the show")
    return FolderTarget(text, folder)
