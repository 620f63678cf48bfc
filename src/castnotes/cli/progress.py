"""Progress bars on the terminal (stderr) while episodes load, audio downloads or the site uploads.

The commands report progress through plain callbacks (`read.show.Progress`,
`fetch.Progress`) and never print; these draw them, and only on a terminal.
"""

from __future__ import annotations

import sys
from typing import Any

import click


class _Bar:
    """A click progress bar on stderr, opened by `_open` and closed by `finish`."""

    bar = None

    def _open(self, length: int, label: str, **options: Any) -> None:
        self.bar = click.progressbar(length=length, label=label, file=sys.stderr, **options)
        self.bar.__enter__()

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class BarProgress(_Bar):
    """A progress bar while episodes are loaded (a `read.show.Progress`)."""

    def start(self, total: int) -> None:
        self._open(total, "Loading episodes", show_pos=True, item_show_func=lambda name: name)

    def advance(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(1, name)


class DownloadBars(_Bar):
    """One progress bar per downloaded file (a `fetch.Progress`)."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.done = 0

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label != self.label:
            self.finish()
            self.label, self.done = label, 0
            self._open(total or 0, f"  {label}", show_pos=False, show_percent=bool(total))
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done


class UploadBar(_Bar):
    """The bytes `castnotes publish` has sent (a `commands.publish.TransferProgress`)."""

    def start(self, total: int) -> None:
        self._open(max(total, 1), f"Uploading {total / 1_048_576:.1f} MB", show_percent=True, show_eta=True)

    def advance(self, amount: int) -> None:
        if self.bar is not None:  # a retried part reports its bytes again: never past the end
            self.bar.update(max(0, min(amount, self.bar.length - self.bar.pos)))
