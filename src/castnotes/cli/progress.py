"""Progress bars on the terminal (stderr) while episodes load, audio downloads or the site uploads.

The commands report progress through plain callbacks (`read.show.Progress`,
`fetch.Progress`) and never print; these draw them, and only on a terminal.
"""

from __future__ import annotations

import sys

import click


class BarProgress:
    """A progress bar while episodes are loaded (a `read.show.Progress`)."""

    def __init__(self) -> None:
        self.bar = None

    @staticmethod
    def wanted() -> bool:
        return sys.stderr.isatty()

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label="Loading episodes", file=sys.stderr,
                                     show_pos=True, item_show_func=lambda name: name)
        self.bar.__enter__()

    def advance(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(1, name)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class DownloadBars:
    """One progress bar per downloaded file (a `fetch.Progress`)."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.bar = None
        self.done = 0

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label != self.label:
            self.close()
            self.label, self.done = label, 0
            self.bar = click.progressbar(length=total or 0, label=f"  {label}", file=sys.stderr,
                                         show_pos=False, show_percent=bool(total))
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class UploadBar:
    """The bytes `castnotes publish` has sent (a `commands.publish.TransferProgress`)."""

    def __init__(self) -> None:
        self.bar = None

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=max(total, 1), label=f"Uploading {total / 1_048_576:.1f} MB",
                                     file=sys.stderr, show_percent=True, show_eta=True)
        self.bar.__enter__()

    def advance(self, amount: int) -> None:
        if self.bar is not None:  # a retried part reports its bytes again: never past the end
            self.bar.update(max(0, min(amount, self.bar.length - self.bar.pos)))

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
