"""What a publish sends, in which order, and with which headers.

The site folder is compared by content hash (SHA-256) with a manifest the previous
publish left at the target, so a publish with nothing changed sends nothing, and one
new episode sends its files, the pages that changed and the feeds (a first publish to S3
also takes over the files another tool put there byte for byte: `already_there`). The order is the
promise a listener relies on: media first, then everything else, the feeds last, so a
feed never points at a file that is not there yet. Deleting happens only after the
feeds, only when asked, and never touches the audio of an episode the ledger lists as
published (apps that downloaded the feed still fetch it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from castnotes.audio.types import MIME_BY_SUFFIX
from castnotes.errors import CastnotesError
from castnotes.files import SITE_TYPES
from castnotes.model import Settings
from castnotes.output.staging import MARKER
from castnotes.read.ledger import load_ledger
from castnotes.render.chapters import JSON_CHAPTERS_TYPE
from castnotes.render.takeaways import TAKEAWAYS_PATH
from castnotes.store import STORE_DIR, store_dir, write_atomic

MANIFEST_PATH = ".castnotes/manifest.json"  # at the target, beside the site
MANIFEST_VERSION = 1
HASH_CACHE = "publish-hashes.json"  # in the show's .castnotes/: skip re-hashing unchanged files

PHASES = ("media", "site", "feeds")  # the upload order

# Called by a target with the bytes just sent (from several threads: the caller locks).
ByteProgress = Callable[[int], None]

# Content-Type by suffix. Audio and video: the type the feed's enclosures declare.
CONTENT_TYPES = SITE_TYPES | MIME_BY_SUFFIX
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"

# Cache-Control by kind ([publish] cache_control overrides each). Feeds and pages change
# weekly and must show up within minutes; audio never changes under a published URL (the
# ledger sees to that); a file whose name carries its hash can be cached forever.
CACHE_CONTROL = {
    "feed": "public, max-age=300",
    "html": "public, max-age=300",
    "media": "public, max-age=31536000",
    "assets": "public, max-age=31536000, immutable",
    "other": "public, max-age=3600",
}
# `artwork-88c31e1d82.jpg`, `artwork-88c31e1d82-600.jpg`, `style.3f9a0c1b.css`: a hash in the name
# (letters and digits both, so a date is not taken for one), maybe followed by a width
FINGERPRINTED = re.compile(r"[.-](?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,}(-\d+)?\.[A-Za-z0-9]+$")


@dataclass(frozen=True, slots=True)
class SiteFile:
    path: str  # inside the site (and under the target), posix
    source: Path  # the built file
    size: int
    sha256: str
    phase: int  # index into PHASES
    kind: str  # a CACHE_CONTROL key
    content_type: str
    cache_control: str


@dataclass(frozen=True, slots=True)
class Plan:
    uploads: tuple[SiteFile, ...]  # in upload order: media, then the rest, feeds last
    unchanged: int
    deletes: tuple[str, ...]  # remote files to delete (only with --delete)
    kept: tuple[str, ...]  # remote files the site no longer has, left in place
    files: dict[str, SiteFile]  # the whole site

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f in self.uploads)

    def phase(self, number: int) -> list[SiteFile]:
        return [f for f in self.uploads if f.phase == number]

    @property
    def feeds_changed(self) -> bool:
        return any(f.kind == "feed" for f in self.uploads)


def classify(path: str, settings: Settings) -> tuple[int, str, str]:
    """(phase, cache kind, Content-Type) of a site path."""
    suffix = os.path.splitext(path)[1].lower()
    overrides = dict(settings.publish.content_types)
    stem = settings.feed.path[: -len(".xml")]
    if path == settings.feed.path or re.fullmatch(re.escape(stem) + r"-\d+\.xml", path):
        return 2, "feed", overrides.get(suffix, RSS_TYPE)
    if path == TAKEAWAYS_PATH:
        return 2, "feed", overrides.get(suffix, ATOM_TYPE)
    known = JSON_CHAPTERS_TYPE if posixpath.basename(path) == "chapters.json" \
        else CONTENT_TYPES.get(suffix, "application/octet-stream")
    content_type = overrides.get(suffix, known)
    if content_type.startswith(("audio/", "video/")):
        return 0, "media", content_type
    kind = "assets" if FINGERPRINTED.search(path) else "html" if content_type.startswith("text/html") else "other"
    return 0 if content_type.startswith("image/") else 1, kind, content_type


def scan_site(output_dir: Path, settings: Settings, *, save_hashes: bool = True) -> dict[str, SiteFile]:
    """Every file of the built site with its hash and headers (symlinks are refused: build
    never makes them, so one there did not come from castnotes)."""
    if not output_dir.is_dir():
        raise CastnotesError.single(f"there is no built site at {output_dir}",
                                    hint="run `castnotes build` first")
    cache = HashCache(settings.root)
    cache_control = {**CACHE_CONTROL, **dict(settings.publish.cache_control)}
    files: dict[str, SiteFile] = {}
    for folder, dirs, names in os.walk(output_dir):
        dirs.sort()
        for name in sorted(names):
            source = Path(folder, name)
            path = source.relative_to(output_dir).as_posix()
            if path == MARKER or path.startswith(".castnotes/"):
                continue  # build's own marker; the manifest's place at the target
            if source.is_symlink():
                raise CastnotesError.single(f"{path} in the built site is a symbolic link; castnotes "
                                            "publishes only real files", source,
                                            hint="run `castnotes build` to rebuild the site")
            phase, kind, content_type = classify(path, settings)
            size, sha = cache.hash(path, source)
            files[path] = SiteFile(path, source, size, sha, phase, kind, content_type, cache_control[kind])
    if save_hashes:
        cache.save(files)
    return files


def make_plan(files: dict[str, SiteFile], manifest: dict[str, dict], *, delete: bool,
              protected: set[str]) -> Plan:
    """Uploads (changed or new, in order), the unchanged count, and what to delete or keep."""
    uploads = [f for f in files.values()
               if manifest.get(f.path, {}).get("sha256") != f.sha256]
    # Within a phase, deeper paths first: episode pages before the lists and home page that link them.
    uploads.sort(key=lambda f: (f.phase, -f.path.count("/"), f.path))
    gone = sorted(set(manifest) - set(files))
    deletes = [p for p in gone if delete and p not in protected]
    kept = [p for p in gone if p not in deletes]
    return Plan(tuple(uploads), len(files) - len(uploads), tuple(deletes), tuple(kept), files)


@dataclass(frozen=True, slots=True)
class RemoteObject:
    """A file already at the target that castnotes' manifest does not list (S3: from a listing)."""
    size: int
    etag: str  # S3's ETag without its quotes: an MD5, or "<MD5 of the parts' MD5s>-<parts>"


# Part sizes of the usual uploaders, tried for a multipart ETag: castnotes (16 MiB), aws-cli and
# boto3 (8 MiB), rclone (5 MiB), s3cmd (15 MiB), and 64 MiB
PART_SIZES_MIB = (16, 8, 5, 15, 64)


def already_there(files: dict[str, SiteFile], remote: dict[str, RemoteObject]) -> list[SiteFile]:
    """The site files the target already holds byte for byte, told by S3's ETag: on a first publish
    to a bucket another tool filled (a move from another host), these need no upload.

    A single-part object's ETag is the MD5 of its bytes; a multipart one's is the MD5 of its
    parts' MD5s, for a part size the uploader chose, so the usual ones are tried (and the least
    whole MiB that makes that many parts). Only files of the same size are read. An ETag that is
    neither (SSE-KMS encryption) never matches, and the file is sent again."""
    same = []
    for path, file in files.items():
        there = remote.get(path)
        if there is not None and there.size == file.size and _etag_matches(file.source, file.size, there.etag):
            same.append(file)
    return same


def _etag_matches(source: Path, size: int, etag: str) -> bool:
    digest, _, parts = etag.lower().partition("-")
    if not re.fullmatch(r"[0-9a-f]{32}", digest):
        return False
    if not parts:
        return _md5_parts(source, max(size, 1))[0].hex() == digest
    if not parts.isdigit() or int(parts) < 1:
        return False
    count = int(parts)
    mib = 1024 * 1024
    least = -(-size // count)
    sizes = dict.fromkeys([n * mib for n in PART_SIZES_MIB] + [-(-least // mib) * mib])
    for part_size in sizes:
        if -(-size // part_size) == count:
            md5s = _md5_parts(source, part_size)
            if hashlib.md5(b"".join(md5s), usedforsecurity=False).hexdigest() == digest:
                return True
    return False


def _md5_parts(source: Path, part_size: int) -> list[bytes]:
    """The MD5 of each `part_size` bytes of the file, in order."""
    digests = []
    with open(source, "rb") as stream:
        while True:
            part, md5 = 0, hashlib.md5(usedforsecurity=False)
            while part < part_size and (chunk := stream.read(min(1024 * 1024, part_size - part))):
                md5.update(chunk)
                part += len(chunk)
            if part == 0 and digests:
                return digests
            digests.append(md5.digest())
            if part < part_size:
                return digests


def protected_paths(root: Path, paths: Iterable[str]) -> set[str]:
    """Those of `paths` that are the audio of an episode the ledger lists as published.

    The ledger keeps the enclosure URL as published, analytics prefix included
    (`https://op3.dev/e/https://host/media/x.mp3`), so a path is matched as the URL's end.
    """
    ledger = load_ledger(root)
    ends = [unquote(urlsplit(entry.url).path) for entry in ledger.latest.values()]
    return {p for p in paths if any(end.endswith("/" + p) for end in ends)}


def read_manifest(data: bytes | None, where: str) -> dict[str, dict]:
    """The target's manifest (path -> {sha256, size}); empty for a first publish."""
    if data is None:
        return {}
    try:
        parsed = json.loads(data)
        files = parsed["files"]
        if parsed.get("version") != MANIFEST_VERSION or not isinstance(files, dict):
            raise ValueError("version")
        return {str(k): dict(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CastnotesError.single(
            f"the publish manifest at {where} is not one castnotes wrote",
            hint=f"delete {MANIFEST_PATH} at the target; the next publish sends every file again") from None


def dump_manifest(files: dict[str, dict]) -> bytes:
    data = {"version": MANIFEST_VERSION, "generator": "castnotes publish",
            "files": {path: files[path] for path in sorted(files)}}
    return json.dumps(data, indent=0, sort_keys=True).encode("utf-8")


def manifest_entry(file: SiteFile) -> dict:
    return {"sha256": file.sha256, "size": file.size}


class HashCache:
    """SHA-256 of built files, kept by (size, mtime, inode): hashing every episode's audio on
    every publish would read gigabytes; a build keeps unchanged files as the same inode."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            self.entries: dict[str, list] = json.loads((root / STORE_DIR / HASH_CACHE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def hash(self, path: str, source: Path) -> tuple[int, str]:
        st = source.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        known = self.entries.get(path)
        if isinstance(known, list) and len(known) == 4 and known[:3] == stamp:
            return st.st_size, known[3]
        with source.open("rb") as handle:
            sha = hashlib.file_digest(handle, "sha256").hexdigest()
        self.entries[path] = [*stamp, sha]
        return st.st_size, sha

    def save(self, files: dict[str, SiteFile]) -> None:
        """Keep the entries of files the site still has; a lost cache only costs time."""
        data = {p: self.entries[p] for p in files if p in self.entries}
        with contextlib.suppress(OSError):
            write_atomic(store_dir(self.root) / HASH_CACHE, json.dumps(data))
