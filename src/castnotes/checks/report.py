"""Findings: one broken rule at one place, and the collector the lint modules report to.

A finding's place depends on what was checked. For a show, an episode's problem is
reported at its `episodes/<folder>/episode.md:LINE` (the line of the front matter key
behind the tag) and a channel problem at `castnotes.toml:LINE`; for any other feed,
at the item's title and GUID. The lint modules do not know which: they name the
element and the setting behind it, and a `Locator` turns that into a place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from lxml import etree

from castnotes.checks.rules import RULES
from castnotes.errors import Problem, Severity, SourceLocation


@dataclass(frozen=True, slots=True)
class Place:
    """Where a finding is: a label for people, and the local file and line when there is one."""

    label: str
    path: Path | None = None
    line: int | None = None

    def describe(self) -> str:
        return f"{self.label}:{self.line}" if self.line else self.label


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    place: Place
    hint: str | None = None
    guid: str | None = None  # the episode concerned, when there is one

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "place": self.place.describe(),
                "file": self.place.path.as_posix() if self.place.path else None,
                "line": self.place.line, "guid": self.guid, "message": self.message, "hint": self.hint}

    def to_problem(self) -> Problem:
        """As a build problem: at the local file when there is one, else the place in the message."""
        if self.place.path is not None:
            return Problem(self.message, SourceLocation(self.place.path, self.place.line),
                           self.severity, self.hint, self.rule)
        return Problem(f"{self.place.describe()}: {self.message}", SourceLocation(),
                       self.severity, self.hint, self.rule)


# (element, front matter / settings key) -> place; element is an <item>, <channel> or None.
Locator = Callable[[etree._Element | None, str | None], Place]


def feed_locator(element: etree._Element | None, key: str | None) -> Place:
    """Places inside any feed: `feed` (the document), `channel`, or `item "Title" (guid ...)`."""
    if element is None:
        return Place("feed")
    if element.tag != "item":
        return Place("channel")
    title = (element.findtext("title") or "").strip()
    guid = (element.findtext("guid") or "").strip()
    if not title and not guid:
        index = 1 + sum(1 for _ in element.itersiblings("item", preceding=True))
        return Place(f"item {index}")
    label = f'item "{title[:60]}"' if title else "item"
    return Place(f"{label} (guid {guid})" if guid else label)


@dataclass
class Lint:
    """Collects findings; `report` fills in the rule's severity and hint unless told otherwise."""

    locate: Locator = feed_locator
    findings: list[Finding] = field(default_factory=list)

    def report(self, rule: str, message: str, element: etree._Element | None = None,
               key: str | None = None, *, severity: Severity | None = None,
               hint: str | None = None) -> None:
        known = RULES[rule]
        guid = None
        if element is not None and element.tag == "item":
            guid = (element.findtext("guid") or "").strip() or None
        self.findings.append(Finding(rule, severity or known.severity, message,
                                     self.locate(element, key), hint or known.hint, guid))

    def add_at(self, place: Place, rule: str, message: str, *, severity: Severity | None = None,
               hint: str | None = None, guid: str | None = None) -> None:
        """Report at a place that is no element of the feed being checked (another file, the ledger)."""
        known = RULES[rule]
        self.findings.append(Finding(rule, severity or known.severity, message, place,
                                     hint or known.hint, guid))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]
