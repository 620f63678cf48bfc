"""A folder on this machine (a web server's document root, a synced share), copied by castnotes.

Each file is written beside its place and renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from castnotes.errors import CastnotesError
from castnotes.publish.plan import MANIFEST_PATH, ByteProgress, RemoteObject, SiteFile
from castnotes.store import atomic_path


class FolderTarget:
    def __init__(self, label: str, folder: Path) -> None:
        self.label = label
        self.folder = folder
        self.requests = 0  # files written or deleted

    def connect(self) -> None:
        if not self.folder.parent.is_dir():
            raise CastnotesError.single(f"cannot publish to {self.label}: {self.folder.parent} does not exist",
                                        hint="create the folder, or correct [publish] target")
        if self.folder.exists() and not self.folder.is_dir():
            raise CastnotesError.single(f"cannot publish to {self.label}: it is a file, not a folder",
                                        hint="correct [publish] target")

    def listing(self) -> dict[str, RemoteObject]:
        return {}  # see Target.listing

    def adopt(self, files: list[SiteFile]) -> None:
        pass

    def read_manifest(self) -> bytes | None:
        try:
            return (self.folder / MANIFEST_PATH).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error(exc, MANIFEST_PATH) from None

    def upload(self, files: list[SiteFile], progress: ByteProgress | None) -> None:
        for file in files:
            self._place(file.path, lambda out, f=file: _copy(f.source, out))
            if progress:
                progress(file.size)

    def write_manifest(self, data: bytes) -> None:
        self._place(MANIFEST_PATH, lambda out: out.write(data))

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            self.requests += 1
            try:
                (self.folder / path).unlink(missing_ok=True)
            except OSError as exc:
                raise self._error(exc, path) from None

    def _place(self, path: str, write) -> None:  # noqa: ANN001 - a callable taking the open file
        target = self.folder / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as temp:
                with temp.open("wb") as out:
                    write(out)
                os.chmod(temp, 0o644)  # readable by the web server whatever the umask
        except OSError as exc:
            raise self._error(exc, path) from None
        self.requests += 1

    def _error(self, exc: OSError, path: str) -> CastnotesError:
        hint = ("the disk is full: free space, then run `castnotes publish` again" if exc.errno == 28
                else "check the folder's permissions, then run `castnotes publish` again")
        return CastnotesError.single(f"cannot write {path} to {self.label}: {exc.strerror or exc}", hint=hint)


def _copy(source: Path, out) -> None:  # noqa: ANN001 - a binary file
    with source.open("rb") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)
