"""Progress bars on the terminal (stderr) while episodes load or audio downloads.

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
