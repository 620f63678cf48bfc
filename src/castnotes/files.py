"""Which files in the show folder may be read and published: regular files inside it.

A symlink in an episode folder or under static/ could publish any file the host can
read (`ln -s /etc/passwd transcript.txt`), and a FIFO or device named like a
transcript blocks the build forever when opened. Every folder castnotes publishes
from is checked here first: a symlink whose real path leaves the show, a broken or
looping one, and anything that is not a regular file or folder are errors naming the
entry, before anything is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from castnotes.errors import CastnotesError, Problems

# Content-Type of the site's files by suffix, for `publish` and the preview server; podcast
# media (.mp3, .m4a...) come from the one media table, audio/types.py, with each caller's
# choice of its feed type or the type browsers play.
SITE_TYPES = {
    ".webm": "video/webm", ".wav": "audio/wav",
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json", ".vtt": "text/vtt; charset=utf-8", ".srt": "application/x-subrip",
    ".txt": "text/plain; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
    ".gif": "image/gif", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".pdf": "application/pdf",
}


def check_folder_files(folder: Path, root: Path, problems: Problems) -> bool:
    """Walk `folder` (without following links); report every unsafe entry. True when all is well."""
    real_root = root.resolve()
    before = len(problems.errors)
    if folder.is_symlink():  # the folder itself may be a link out of the show
        _check_link(folder, real_root, problems)
        if len(problems.errors) > before:
            return False
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as exc:
            problems.add(f"cannot read this folder: {exc.strerror}", current)
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    _check_link(path, real_root, problems)
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                problems.add(f"cannot read: {exc.strerror}", path)
                continue
            if stat.S_ISDIR(mode):
                stack.append(path)
            elif not stat.S_ISREG(mode):
                problems.add("is not a regular file (a pipe, socket or device); castnotes only reads "
                             "regular files", path, hint="delete it or move it out of the show folder")
    return len(problems.errors) == before


def _check_link(path: Path, real_root: Path, problems: Problems) -> None:
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        problems.add("is a symlink that loops", path, hint="delete the link, or copy the real file here")
        return
    except OSError as exc:
        problems.add(f"is a broken symlink ({os.readlink(path)}: {exc.strerror})", path,
                     hint="delete the link, or copy the real file here")
        return
    if not target.is_relative_to(real_root):
        problems.add(f"is a symlink to {target}, outside the show folder; castnotes never publishes "
                     "files from outside the show", path, hint="copy the file into the show folder instead")
        return
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        problems.add(f"cannot read: {exc.strerror}", path)
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        problems.add("is a symlink to something that is not a regular file", path,
                     hint="delete it or move it out of the show folder")


def read_text(path: Path, what: str | None = None) -> str:
    """A UTF-8 text file the host wrote (a BOM is dropped); anything else is a located error.

    Not UTF-8 is an ordinary mistake (an editor saving as Latin-1 or UTF-16), so it is
    reported at the line of the first bad byte, never as a crash.
    """
    if not path.is_file():
        raise CastnotesError.single(f"{what or path.name} is not a regular file", path,
                                    hint="replace it with a plain text file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CastnotesError.single(f"{what or path.name} is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                                    path, line, hint="save it as UTF-8 in your editor") from None
    return text.removeprefix("\ufeff")
