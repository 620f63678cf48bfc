"""The one error type a user ever sees, and the "did you mean" hint most of them carry.

Library code never prints. It records each problem with the place it comes from
(`SourceLocation`) and raises one `CastnotesError` carrying all of them, so a host
fixes every mistake in one pass instead of one per build. A broken feed rule of
`castnotes check` is a `Problem` too, with its rule id. Only `cli/` turns these into
text (`path:line: error: message`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place: a path (absolute, or relative to the show) and a 1-based line, and a label for
    people when the place is named otherwise (a checked feed's `item "Title" (guid ...)`)."""

    path: Path | None = None
    line: int | None = None
    label: str | None = None

    def describe(self, root: Path | None = None) -> str:
        """`episodes/042-x/episode.md:3`, relative to `root` when the path lies inside it."""
        if self.label is not None:
            return f"{self.label}:{self.line}" if self.line else self.label
        if self.path is None:
            return ""
        path = self.path
        if root is not None:
            # Not resolve(): a problem about a symlink names the link, not what it points to.
            full = Path(os.path.normpath(path.absolute()))
            for base in (root.absolute(), root.resolve()):
                if full.is_relative_to(base):
                    path = full.relative_to(base)
                    break
        text = path.as_posix()
        return f"{text}:{self.line}" if self.line else text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the host's input, with where it is and how to fix it.

    A feed rule broken (`castnotes check`) is a Problem too: `rule` names it, and
    `guid` the episode concerned, when there is one.
    """

    message: str
    where: SourceLocation = field(default_factory=SourceLocation)
    severity: Severity = "error"
    hint: str | None = None
    rule: str | None = None
    guid: str | None = None

    def format(self, root: Path | None = None) -> str:
        """`path:line: error: [rule] message`, then `  hint: ...` on its own line.

        Only a file leads the line (editors jump to it); a place that is no file, such
        as an item of the published feed, is named at the start of the message.
        """
        place = self.where.describe(root) if self.where.path is not None else ""
        named = f"{self.where.describe()}: " if self.where.path is None and self.where.label else ""
        rule = f"[{self.rule}] " if self.rule else ""
        text = f"{place}: " if place else ""
        text += f"{self.severity}: {rule}{named}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class CastnotesError(Exception):
    """Raised with every problem found; the CLI prints them all and exits 1."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        """Pickle by problems, so an error raised in a worker process arrives intact."""
        return (type(self), (self.problems,))

    @classmethod
    def single(cls, message: str, path: Path | None = None, line: int | None = None,
               hint: str | None = None) -> "CastnotesError":
        return cls([Problem(message, SourceLocation(path, line), hint=hint)])


class Problems:
    """A collector: gather problems while reading everything, then raise once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, message: str, path: Path | None = None, line: int | None = None, *, hint: str | None = None,
            severity: Severity = "error", rule: str | None = None) -> None:
        self.items.append(Problem(message, SourceLocation(path, line), severity, hint, rule))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Raise all problems (warnings included, for context) when any is an error."""
        if self.errors:
            raise CastnotesError(self.items)


def did_you_mean(word: str, choices: Iterable[str], otherwise: str | None = None, *,
                 cutoff: float = 0.6, ignore_case: bool = False) -> str | None:
    """A hint for a mistyped name: `did you mean 'x'?` with the nearest choice, else `otherwise`.

    The one suggester behind every "unknown key / value / episode" problem, so they all
    read alike. `ignore_case` compares in lower case but suggests the choice as written.
    """
    spelled = {(choice.lower() if ignore_case else choice): choice for choice in choices}
    word = word.strip().lower() if ignore_case else word
    import difflib  # not at the top: `build` with nothing to do never suggests

    match = difflib.get_close_matches(word, list(spelled), n=1, cutoff=cutoff)
    return f"did you mean {spelled[match[0]]!r}?" if match else otherwise
