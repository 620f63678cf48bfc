"""A transcript as the episode page shows it: paragraphs ("turns") with a start time and speaker.

The feed links the transcript file; the page prints it, so readers can search it,
skim it and click a time to hear that moment. WebVTT is read with webvtt-py and
SRT with srt; Podcasting 2.0 JSON, HTML and plain text need no library. Cues are
joined into turns: a new turn starts when the speaker changes, after a pause, or
when a turn grows long, so a one-hour transcript reads as paragraphs, not 900 lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nh3

from castnotes.errors import CastnotesError
from castnotes.model import Episode, Transcript
from castnotes.timecode import parse_timestamp

PAUSE = 2.0  # seconds of silence that start a new paragraph
LONGEST_TURN = 45.0  # seconds; a monologue is split into paragraphs about this long
# Shown in order of preference; timed formats first, because their times seek the player.
PREFERENCE = ("text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain")
_SPEAKER_RE = re.compile(r"^([A-Z][\w.'\- ]{0,40}?):\s+(.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """A paragraph of the transcript: who speaks, from when."""

    start: float | None  # None for untimed transcripts
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class PageTranscript:
    transcript: Transcript  # the file it was read from (linked for download)
    turns: tuple[Turn, ...] = ()
    html: str | None = None  # a sanitised HTML transcript, shown as is


def choose_transcript(episode: Episode, language: str) -> Transcript | None:
    """The transcript to print on the page: the show's language first, timed formats first.

    Only a file in the show folder is printed; one hosted elsewhere is linked, not fetched.
    """
    candidates = [t for t in episode.transcripts if t.mime in PREFERENCE and t.source_path]
    if not candidates:
        return None

    def rank(t: Transcript) -> tuple[int, int]:
        same_language = (t.language or language).split("-")[0] == language.split("-")[0]
        return (0 if same_language else 1, PREFERENCE.index(t.mime))

    return min(candidates, key=rank)


def load_page_transcript(episode: Episode, language: str) -> PageTranscript | None:
    transcript = choose_transcript(episode, language)
    if transcript is None:
        return None
    path = transcript.source_path
    assert path is not None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CastnotesError.single("transcript is not UTF-8 text", path, hint="save it as UTF-8") from None
    return parse_page_transcript(text, transcript.mime, transcript, path)


def parse_page_transcript(text: str, mime: str, transcript: Transcript, path: Path) -> PageTranscript:
    if mime == "text/html":
        html = nh3.clean(text, tags={"p", "br", "b", "strong", "i", "em", "cite", "span", "ul", "ol", "li",
                                     "h2", "h3", "h4", "blockquote", "q"},
                         attributes={}, strip_comments=True)
        return PageTranscript(transcript, html=html.strip())
    if mime == "text/plain":
        paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
        turns = tuple(Turn(None, *_speaker_of(p)) for p in paragraphs if p)
        return PageTranscript(transcript, turns=turns)
    parse = {"text/vtt": parse_vtt, "application/x-subrip": parse_srt, "application/json": parse_json}[mime]
    return PageTranscript(transcript, turns=group_turns(parse(text, path)))


def parse_vtt(text: str, path: Path) -> list[Cue]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_string(text)
    except MalformedFileError as exc:
        raise CastnotesError.single(f"not a valid WebVTT file: {exc}", path,
                                    hint="it must start with WEBVTT and hold cues like "
                                         "00:00:01.000 --> 00:00:04.000") from None
    cues = []
    for caption in captions:
        body = re.sub(r"\s+", " ", caption.text).strip()
        speaker = caption.voice
        if not speaker:
            body, speaker = _speaker_of(body)
        if body:
            cues.append(Cue(parse_timestamp(caption.start) or 0.0, parse_timestamp(caption.end) or 0.0, body, speaker))
    return cues


def parse_srt(text: str, path: Path) -> list[Cue]:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise CastnotesError.single(f"not a valid SRT file: {exc}", path,
                                    hint="each cue needs a number, a line like "
                                         "00:00:01,000 --> 00:00:04,000 and its text") from None
    cues = []
    for subtitle in subtitles:
        plain = re.sub(r"<[^>]+>", "", subtitle.content)
        body, speaker = _speaker_of(re.sub(r"\s+", " ", plain).strip())
        if body:
            cues.append(Cue(subtitle.start.total_seconds(), subtitle.end.total_seconds(), body, speaker))
    return cues


def parse_json(text: str, path: Path) -> list[Cue]:
    """Podcasting 2.0 JSON: {"segments": [{"speaker", "startTime", "endTime", "body"}]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CastnotesError.single(f"malformed JSON: {exc.msg}", path, exc.lineno) from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise CastnotesError.single('a JSON transcript needs {"version": "1.0.0", "segments": [...]}', path,
                                    hint="see the Podcasting 2.0 transcript specification")
    cues = []
    for i, segment in enumerate(segments):
        start = segment.get("startTime") if isinstance(segment, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)):
            raise CastnotesError.single(f"segments[{i}]: startTime must be a number of seconds", path)
        end = segment.get("endTime")
        end = float(end) if isinstance(end, (int, float)) and not isinstance(end, bool) else float(start)
        body = re.sub(r"\s+", " ", str(segment.get("body") or "")).strip()
        speaker = segment.get("speaker") if isinstance(segment.get("speaker"), str) else None
        if body:
            cues.append(Cue(float(start), end, body, speaker or None))
    return cues


def group_turns(cues: list[Cue]) -> tuple[Turn, ...]:
    """Cues joined into paragraphs: a new one per speaker change, pause or ~45 seconds.

    A cue with no speaker continues the current speaker's turn (SRT files name the
    speaker on their first line only).
    """
    turns: list[Turn] = []
    start = end = 0.0
    speaker: str | None = None
    words: list[str] = []
    for cue in cues:
        new_speaker = cue.speaker is not None and cue.speaker != speaker
        if words and (new_speaker or cue.start - end > PAUSE or cue.start - start > LONGEST_TURN):
            turns.append(Turn(start, " ".join(words), speaker))
            words = []
        if not words:
            start = cue.start
        speaker = cue.speaker or speaker
        words.append(cue.text)
        end = max(end, cue.end)
    if words:
        turns.append(Turn(start, " ".join(words), speaker))
    # Name a speaker only where they change, like a printed interview.
    named: list[Turn] = []
    for i, turn in enumerate(turns):
        repeat = i > 0 and turns[i - 1].speaker == turn.speaker
        named.append(Turn(turn.start, turn.text, None if repeat else turn.speaker))
    return tuple(named)


def _speaker_of(text: str) -> tuple[str, str | None]:
    """`SAM RIVERA: Welcome back` -> ("Welcome back", "Sam Rivera")."""
    match = _SPEAKER_RE.match(text)
    name = match.group(1).strip() if match else ""
    words = name.split()
    # A label is a name: in capitals (SAM, SAM RIVERA) or two to four capitalised words,
    # so "Today: what to do" stays text.
    if not words or len(words) > 4 or not (name.isupper() or
                                           (len(words) > 1 and all(w[0].isupper() for w in words))):
        return text, None
    return match.group(2).strip(), name.title() if name.isupper() else name

