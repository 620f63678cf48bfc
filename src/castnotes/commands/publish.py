"""`castnotes publish`: build, then put the site on the web: media first, the feeds last.

The order is what keeps listeners safe: a feed that names a new episode goes up only
after the episode's audio, images, pages and chapters are there. The target keeps a
manifest of content hashes, rewritten after each phase, so a publish that is cut
off (a dropped connection, a full disk) leaves the old feed live, and the next run
sends only what is still missing. Deleting is opt-in (`--delete`), happens after the
feeds, and never removes the audio of an episode the ledger lists as published.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from castnotes.commands.build import BuildOptions, BuildResult, build
from castnotes.config.settings import load_settings
from castnotes.errors import CastnotesError, Problem
from castnotes.output.state import state_path, up_to_date
from castnotes.publish.notify import announce
from castnotes.publish.plan import (
    PHASES,
    Plan,
    already_there,
    dump_manifest,
    make_plan,
    manifest_entry,
    protected_paths,
    read_manifest,
    scan_site,
)
from castnotes.publish.targets import TARGET_HINT, Target, open_target
from castnotes.read.show import Progress


@dataclass(frozen=True, slots=True)
class PublishOptions:
    dry_run: bool = False  # list what would be sent and deleted; write nothing anywhere
    build: bool = True  # build first (with the ledger guard); False publishes site/ as it is
    delete: bool = False  # delete remote files the site no longer has (never ledger audio)
    target: str | None = None  # overrides [publish] target


@dataclass(frozen=True, slots=True)
class PublishResult:
    target: str
    plan: Plan
    dry_run: bool
    uploaded_bytes: int
    deleted: tuple[str, ...]
    protected: tuple[str, ...]  # remote files kept because the ledger lists them as published audio
    seconds: float
    requests: int  # requests to the remote (HTTP requests for S3, rsync runs)
    notified: tuple[str, ...] = ()  # hubs and Podping told about the new feed
    warnings: tuple[Problem, ...] = field(default=())
    built: BuildResult | None = None  # None: --no-build, --dry-run, or nothing changed since the last build
    stale: bool = False  # --dry-run on a site/ older than the show's files
    adopted: tuple[str, ...] = ()  # files a first publish found at the target byte for byte (counted unchanged)


class TransferProgress(Protocol):
    """Bytes sent, for a progress bar (cli/ draws it; calls come from one thread at a time)."""

    def start(self, total: int) -> None: ...
    def advance(self, amount: int) -> None: ...
    def finish(self) -> None: ...


def publish(root: Path, options: PublishOptions = PublishOptions(), progress: TransferProgress | None = None,
            build_progress: Progress | None = None) -> PublishResult:
    """Build (unless told not to, or nothing changed), compare with the target's manifest, then
    upload phase by phase, delete if asked, and tell the hubs. Every check that can fail (settings,
    target, bucket, credentials, manifest) runs before the first byte is written."""
    started = time.perf_counter()
    built = None
    key = BuildOptions().state_key
    # The same shortcut as `castnotes build`: nothing changed since the last build, nothing to build.
    current = options.build and up_to_date(state_path(root.resolve(), key), key) is not None
    stale = options.build and options.dry_run and not current
    if options.build and not options.dry_run and not current:
        built = build(root, BuildOptions(), build_progress)
        settings = built.show.settings
    else:
        settings = load_settings(root)
    text = options.target or settings.publish.target
    if not text:
        raise CastnotesError.single("no publish target: [publish] target is not set", settings.config_path,
                                    hint=TARGET_HINT + ", or pass --target")
    target = open_target(text, settings)
    files = scan_site(settings.output_dir, settings, save_hashes=not options.dry_run)
    target.connect()
    manifest = read_manifest(target.read_manifest(), target.label)
    # A first publish to a place another tool filled (a move from another host): what is there
    # byte for byte is taken over, not sent again.
    adopted = [] if manifest else already_there(files, target.listing())
    manifest.update((f.path, manifest_entry(f)) for f in adopted)
    protected = protected_paths(settings.root, set(manifest) - set(files)) if options.delete else set()
    plan = make_plan(files, manifest, delete=options.delete, protected=protected)
    sent, notified, warnings = 0, [], []
    if not options.dry_run:
        if adopted:
            target.adopt(adopted)
            target.write_manifest(dump_manifest(manifest))
        sent = _upload(target, plan, manifest, progress)
        if plan.deletes:
            target.delete(list(plan.deletes))
            for path in plan.deletes:
                manifest.pop(path, None)
            target.write_manifest(dump_manifest(manifest))
        if plan.feeds_changed:
            notified, warnings = announce(settings)
    return PublishResult(target=target.label, plan=plan, dry_run=options.dry_run, uploaded_bytes=sent,
                         deleted=() if options.dry_run else plan.deletes, protected=tuple(sorted(protected)),
                         seconds=time.perf_counter() - started, requests=target.requests,
                         notified=tuple(notified), warnings=tuple(warnings), built=built, stale=stale,
                         adopted=tuple(f.path for f in adopted))


def _upload(target: Target, plan: Plan, manifest: dict[str, dict], progress: TransferProgress | None) -> int:
    """Each phase in turn, the manifest rewritten after each; the bytes sent."""
    lock = threading.Lock()

    def advance(amount: int) -> None:  # boto3 calls this from its transfer threads
        with lock:
            progress.advance(amount)

    if progress and plan.uploads:
        progress.start(plan.upload_bytes)
    try:
        for number in range(len(PHASES)):
            batch = plan.phase(number)
            if not batch:
                continue
            target.upload(batch, advance if progress else None)
            manifest.update((f.path, manifest_entry(f)) for f in batch)
            target.write_manifest(dump_manifest(manifest))
    finally:
        if progress and plan.uploads:
            progress.finish()
    return plan.upload_bytes
