"""A server over SSH (`user@host:/srv/podcast/`), an rsync daemon (`rsync://host/module/path`),
or a folder on this machine (`rsync:///srv/podcast/`), all through the `rsync` program.

One rsync run per phase sends that phase's files (`--files-from`), each into a
temporary file renamed at the end of the run (`--delay-updates`), so a phase that
fails leaves the files it had not finished as they were. SSH runs in batch mode: a
missing key fails at once instead of waiting for a password nobody types. RSYNC_RSH
(rsync's own variable) replaces the ssh command, e.g. for a port or a key.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from castnotes.errors import CastnotesError
from castnotes.publish.folder import FolderTarget
from castnotes.publish.plan import MANIFEST_PATH, ByteProgress, RemoteObject, SiteFile

SSH = "ssh -o BatchMode=yes -o ConnectTimeout=15"
TIMEOUT = 120  # seconds without I/O before rsync gives up (rsync --timeout)
MISSING = re.compile(r"No such file or directory|does not exist", re.IGNORECASE)
# rsync's exit codes that say the server could not be reached or refused us
UNREACHABLE = {5: "the rsync daemon refused the connection", 10: "the connection failed",
               12: "the connection broke", 30: "the server timed out", 35: "the server timed out",
               255: "ssh could not connect"}


class RsyncTarget:
    def __init__(self, label: str, destination: str) -> None:
        self.label = label
        self.destination = destination.rstrip("/") + "/"
        self.requests = 0  # rsync runs
        self._program = shutil.which("rsync")

    def connect(self) -> None:
        if self._program is None:
            raise CastnotesError.single(f"publishing to {self.label} needs the rsync program",
                                        hint="install rsync (apt install rsync, brew install rsync)")
        # A folder on this machine is checked as one; a server is first reached by read_manifest.
        if self.destination.startswith("/"):
            FolderTarget(self.label, Path(self.destination)).connect()

    def listing(self) -> dict[str, RemoteObject]:
        return {}  # see Target.listing

    def adopt(self, files: list[SiteFile]) -> None:
        pass

    def read_manifest(self) -> bytes | None:
        with tempfile.TemporaryDirectory(prefix="castnotes-rsync-") as scratch:
            result = self._run(["-q", self.destination + MANIFEST_PATH, scratch + "/manifest.json"])
            if result.returncode == 0:
                return Path(scratch, "manifest.json").read_bytes()
            if result.returncode == 23 and MISSING.search(result.stderr):
                return None  # a first publish (rsync creates the folder)
            raise self._error(result, "cannot reach")

    def upload(self, files: list[SiteFile], progress: ByteProgress | None) -> None:
        if not files:
            return
        first = files[0]  # the site folder: the source path less the site path
        source = first.source.parents[len(Path(first.path).parts) - 1]
        self._send(source, [f.path for f in files], [])
        if progress:
            progress(sum(f.size for f in files))

    def write_manifest(self, data: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="castnotes-rsync-") as scratch:
            path = Path(scratch, MANIFEST_PATH)
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            self._send(Path(scratch), [MANIFEST_PATH], [])

    def delete(self, paths: list[str]) -> None:
        """rsync deletes what the file list names and the source lacks (--delete-missing-args)."""
        with tempfile.TemporaryDirectory(prefix="castnotes-rsync-") as empty:
            for path in paths:  # the folders must be there, or rsync reports them vanished (exit 24)
                Path(empty, path).parent.mkdir(parents=True, exist_ok=True)
            self._send(Path(empty), paths, ["--delete-missing-args"])

    def _send(self, source: Path, paths: list[str], extra: list[str]) -> None:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".list", delete=False) as listing:
            listing.write("\n".join(paths) + "\n")
        try:
            # -r with --files-from: the listed paths, relative to the source; -I: send each listed file
            # (the plan already knows it changed); --chmod: readable by the web server.
            result = self._run(["-rtI", "--chmod=D755,F644", "--delay-updates", *extra,
                                f"--files-from={listing.name}", str(source) + "/", self.destination])
        finally:
            os.unlink(listing.name)
        if result.returncode != 0:
            raise self._error(result, "cannot publish to")

    def _run(self, args: list[str]) -> subprocess.CompletedProcess:
        """One rsync run; its exit code is the caller's to read (`_error` words a failure)."""
        command = [self._program or "rsync", f"--timeout={TIMEOUT}", *args]
        if "RSYNC_RSH" not in os.environ:
            command[2:2] = ["-e", SSH]
        self.requests += 1
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False,
                                  stdin=subprocess.DEVNULL, errors="replace")
        except OSError as exc:
            raise CastnotesError.single(f"cannot run rsync for {self.label}: {exc}") from None

    def _error(self, result: subprocess.CompletedProcess, doing: str) -> CastnotesError:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        useful = [line for line in lines if not line.startswith("rsync error:")] or lines
        detail = useful[0] if useful else f"rsync exited with {result.returncode}"
        detail = re.sub(r"^rsync: (\[\w+\] )?", "", detail)
        if "No space left" in result.stderr or "Disk quota" in result.stderr:
            hint = "the server's disk is full: free space there, then run `castnotes publish` again"
        elif result.returncode in UNREACHABLE:
            detail = f"{UNREACHABLE[result.returncode]}: {detail}"
            hint = "check the host, the path and your SSH key (ssh must log in without a password)"
        elif "Permission denied" in result.stderr:
            hint = "the account may not write there: check the folder's owner and permissions"
        else:
            hint = "fix that, then run `castnotes publish` again: the old feed stays live until then"
        return CastnotesError.single(f"{doing} {self.label}: {detail} (rsync exit {result.returncode})",
                                     hint=hint)
