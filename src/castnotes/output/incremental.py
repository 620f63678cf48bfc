"""Render only what changed, on every core.

Each page comes with a fingerprint (render.fingerprints). A page whose fingerprint
matches the last build is hard-linked from the current site instead of being
rendered again, which is also what a full build would have written, byte for byte.
Pages that must be rendered are shared out among worker processes (workers.py).
"""

from __future__ import annotations

from castnotes.output.staging import Staging
from castnotes.render.fingerprints import RenderJob
from castnotes.workers import parallel_imap


def render_changed(jobs: list[RenderJob], previous: dict[str, str], staging: Staging) -> int:
    """Reuse every file whose fingerprint is unchanged, render the rest (in parallel); how many rendered."""
    todo: list[RenderJob] = []
    for job in jobs:
        if previous.get(job.site_path) != job.fingerprint or not staging.reuse(job.site_path):
            staging.claim(job.site_path)
            todo.append(job)
    for job, data in zip(todo, parallel_imap(lambda job: job.render(), todo)):
        staging.place(job.site_path, data)
    return len(todo)
