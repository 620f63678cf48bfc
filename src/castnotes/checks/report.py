"""Where a broken rule is, and the collector the lint modules report Problems to.

A problem's place depends on what was checked. For a show, an episode's problem is
reported at its `episodes/<folder>/episode.md:LINE` (the line of the front matter key
behind the tag) and a channel problem at `castnotes.toml:LINE`; for any other feed,
at the item's title and GUID. The lint modules do not know which: they name the
element and the setting behind it, and a `Locator` turns that into a place.
"""

from __future__ import annotations

from typing import Callable

from lxml import etree

from castnotes.checks.rules import RULES
from castnotes.errors import Problem, Problems, Severity, SourceLocation

# (element, front matter / settings key) -> place; element is an <item>, <channel> or None.
Locator = Callable[[etree._Element | None, str | None], SourceLocation]


def feed_locator(element: etree._Element | None, key: str | None) -> SourceLocation:
    """Places inside any feed: `feed` (the document), `channel`, or `item "Title" (guid ...)`."""
    if element is None:
        return SourceLocation(label="feed")
    if element.tag != "item":
        return SourceLocation(label="channel")
    title = (element.findtext("title") or "").strip()
    guid = (element.findtext("guid") or "").strip()
    if not title and not guid:
        index = 1 + sum(1 for _ in element.itersiblings("item", preceding=True))
        return SourceLocation(label=f"item {index}")
    label = f'item "{title[:60]}"' if title else "item"
    return SourceLocation(label=f"{label} (guid {guid})" if guid else label)


class Lint(Problems):
    """Problems with a rule id each, placed by a locator; the rule's severity and hint fill in
    unless told otherwise."""

    def __init__(self, locate: Locator = feed_locator) -> None:
        super().__init__()
        self.locate = locate

    def report(self, rule: str, message: str, element: etree._Element | None = None,
               key: str | None = None, *, severity: Severity | None = None,
               hint: str | None = None) -> None:
        guid = None
        if element is not None and element.tag == "item":
            guid = (element.findtext("guid") or "").strip() or None
        self.add_at(self.locate(element, key), rule, message, severity=severity, hint=hint, guid=guid)

    def add_at(self, where: SourceLocation, rule: str, message: str, *, severity: Severity | None = None,
               hint: str | None = None, guid: str | None = None) -> None:
        """Report at a place that is no element of the feed being checked (another file, the ledger)."""
        known = RULES[rule]
        self.items.append(Problem(message, where, severity or known.severity, hint or known.hint, rule, guid))
