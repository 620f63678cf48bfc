"""Transcript files: which ones an episode has, parsed once, their MIME types and languages.

Found by name (`transcript.vtt`, `transcript.de.srt`, ...) or named in front matter
(`transcript: interview.vtt`, or `{file: ..., language: de}`, or a remote
`{url, type, language, rel}` as `castnotes import` writes). Local files are parsed
once, with real parsers (webvtt-py for WebVTT, srt for SubRip, json for Podcasting
2.0 JSON): a broken file is an error at its line, not a blank caption track in an
app, and a good one becomes the paragraphs ("turns") the episode page prints. They
are published beside the episode page and linked with `podcast:transcript`.

Cues are joined into turns: a new turn starts when the speaker changes, after a
pause, or when a turn grows long, so a one-hour transcript reads as paragraphs, not
900 lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nh3

from castnotes.errors import Problems
from castnotes.fields import FieldReader
from castnotes.model import Transcript, TranscriptTurn
from castnotes.timecode import parse_timestamp

TRANSCRIPT_TYPES = {
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}
TIMED_TYPES = {"text/vtt", "application/x-subrip", "application/srt", "application/json"}
KNOWN_TYPES = set(TRANSCRIPT_TYPES.values()) | {"application/srt"}
_NAME_RE = re.compile(r"^transcript(?:[._-]([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?))?$", re.IGNORECASE)
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ENTRY_KEYS = ("file", "url", "type", "language", "rel")
PAUSE = 2.0  # seconds of silence that start a new paragraph
LONGEST_TURN = 45.0  # seconds; a monologue is split into paragraphs about this long
_SPEAKER_RE = re.compile(r"^([A-Z][\w.'\- ]{0,40}?):\s+(.*)$", re.S)
HTML_TAGS = {"p", "br", "b", "strong", "i", "em", "cite", "span", "ul", "ol", "li", "h2", "h3", "h4",
             "blockquote", "q"}


def load_transcripts(reader: FieldReader, folder: Path, page_path: str, site_url: str,
                     default_language: str, copies: list[tuple[Path, str]]) -> list[Transcript]:
    """Every transcript of an episode, local ones parsed; local files are added to `copies`."""
    transcripts = []
    for source, language in find_transcripts(reader, folder):
        parsed = parse_transcript(source, reader.problems)
        if parsed is not None:
            transcript = make_transcript(source, language, default_language, page_path, site_url, *parsed)
            transcripts.append(transcript)
            copies.append((source, transcript.site_path))
    transcripts += _remote_transcripts(reader, default_language)
    return transcripts


def find_transcripts(reader: FieldReader, folder: Path) -> list[tuple[Path, str | None]]:
    """(file, language) pairs: front matter `transcript:` wins over files found by name."""
    if reader.has("transcript"):
        found = []
        for item_reader, item in reader.entries("transcript"):
            if isinstance(item, dict):
                item_reader.check_keys(ENTRY_KEYS, "transcript key")
                if not item_reader.has("file"):
                    continue  # a remote transcript: see _remote_transcripts
                name, language = item_reader.text("file"), _language(item_reader)
            else:
                name, language = str(item).strip(), None
            source = _local_file(reader, folder, name) if name else None
            if source is not None:
                found.append((source, language or _language_of(source)))
        return found
    return [(source, _language_of(source)) for source in sorted(folder.iterdir())
            if source.suffix.lower() in TRANSCRIPT_TYPES and _NAME_RE.match(source.stem)]


def _local_file(reader: FieldReader, folder: Path, name: str) -> Path | None:
    source = (folder / name).resolve()
    if not source.is_relative_to(folder.resolve()):
        reader.error("transcript", f"{name!r} is outside the episode folder")
    elif "://" in name:
        reader.error("transcript", f"{name!r} is a URL",
                     hint="a remote transcript is {url: ..., type: text/vtt, language: en}")
    elif not source.is_file():
        reader.error("transcript", f"{name!r} not found in the episode folder")
    elif source.suffix.lower() not in TRANSCRIPT_TYPES:
        reader.error("transcript", f"{name!r} is not a transcript format",
                     hint="use .vtt, .srt, .json, .html or .txt")
    else:
        return source
    return None


def _language(reader: FieldReader) -> str | None:
    language = reader.text("language")
    if language is not None and not _LANGUAGE_RE.match(language):
        reader.error("language", f"{language!r} is not a language code", hint="e.g. en, de or pt-br")
        return None
    return language.lower() if language else None


def _language_of(path: Path) -> str | None:
    match = _NAME_RE.match(path.stem)
    return match.group(1).lower() if match and match.group(1) else None


def _remote_transcripts(reader: FieldReader, default_language: str) -> list[Transcript]:
    """`{url, type, language, rel}` entries: linked as they are, not downloaded."""
    found = []
    for item_reader, item in reader.entries("transcript"):
        if not isinstance(item, dict) or item_reader.has("file"):
            continue
        url = item_reader.url("url", warn_http=True)
        if url is None:
            if not item_reader.has("url"):
                item_reader.error("url", "missing", hint="a transcript entry needs file (in the folder) or url")
            continue
        mime = item_reader.text("type") or _type_from_url(url)
        if mime is None:
            item_reader.error("type", "missing, and the URL does not end in .vtt, .srt, .json, .html or .txt",
                              hint="add type: text/vtt (or application/x-subrip, application/json, ...)")
            continue
        if mime not in KNOWN_TYPES:
            item_reader.warn("type", f"{mime!r} is not a transcript type podcast apps know",
                             hint="text/vtt, application/x-subrip, application/json, text/html, text/plain")
        rel = item_reader.text("rel")
        if rel is None and mime in TIMED_TYPES:
            rel = "captions"
        found.append(Transcript(url=url, mime=mime, language=_language(item_reader) or default_language,
                                rel=rel))
    return found


def _type_from_url(url: str) -> str | None:
    path = url.split("?", 1)[0].split("#", 1)[0]
    return TRANSCRIPT_TYPES.get(Path(path).suffix.lower())


def make_transcript(source: Path, language: str | None, default_language: str, page_path: str,
                    site_url: str, turns: tuple[TranscriptTurn, ...] = (),
                    html: str | None = None) -> Transcript:
    suffix = source.suffix.lower()
    site_path = f"{page_path}{source.name}"
    return Transcript(
        url=site_url + site_path,
        mime=TRANSCRIPT_TYPES[suffix],
        site_path=site_path,
        source_path=source,
        language=language or default_language,
        rel="captions" if TRANSCRIPT_TYPES[suffix] in TIMED_TYPES else None,
        turns=turns,
        html=html,
    )


# --- parsing the files ----------------------------------------------------------------

Parsed = tuple[tuple[TranscriptTurn, ...], str | None]  # (turns, sanitised HTML)


def parse_transcript(path: Path, problems: Problems) -> Parsed | None:
    """Parse the file with the parser of its format: what the page prints, or None after
    reporting its problems at their lines."""
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        problems.add("transcript is not UTF-8 text", path, line, hint="save it as UTF-8")
        return None
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return (), nh3.clean(text, tags=HTML_TAGS, attributes={}, strip_comments=True).strip()
    if suffix not in _CUE_PARSERS:  # plain text: each paragraph a turn
        paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
        return tuple(TranscriptTurn(None, *_speaker_of(p)) for p in paragraphs if p), None
    before = len(problems.errors)
    cues = _CUE_PARSERS[suffix](text, path, problems)
    return (group_turns(cues), None) if len(problems.errors) == before else None


@dataclass(frozen=True, slots=True)
class _Cue:
    start: float
    end: float
    text: str
    speaker: str | None = None


CUE_HINT = ("a cue is a timing line `00:01:02.500 --> 00:01:05.000` (two-digit minutes and seconds, "
            "three-digit milliseconds), then its text")


def _parse_vtt(text: str, path: Path, problems: Problems) -> list[_Cue]:
    """webvtt-py parses the whole file strictly; castnotes adds lines, order and start-before-end.

    A clean file costs one parse. Only a file webvtt-py rejects is parsed again cue by
    cue, to find the line of each broken cue. (webvtt-py and srt are imported when a
    transcript is parsed: a build whose transcripts all come from the episode cache needs
    neither.)
    """
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_string(text, strict=True).captions
    except MalformedFileError:
        problems.add("not a WebVTT file: the first line must be WEBVTT", path, 1,
                     hint="a .vtt file starts with the line WEBVTT, then a blank line, then the cues")
        return []
    except MalformedCaptionError as exc:
        before = len(problems.items)
        _locate_broken_cues(text, path, problems)
        if len(problems.items) == before:  # a problem across blocks: say what webvtt-py said
            problems.add(f"malformed WebVTT: {exc}", path, hint=CUE_HINT)
        return []
    for line, block in _blocks(text)[1:]:  # webvtt-py skips a block without a timing line: a lost cue
        if not block[0].startswith(("NOTE", "STYLE", "REGION")) and not any("-->" in b for b in block):
            problems.add(f"malformed WebVTT cue: {block[0]!r} is not a valid cue timing line", path, line,
                         hint=CUE_HINT)
    timing_lines = [n for n, line in enumerate(text.splitlines(), start=1) if "-->" in line]
    if len(timing_lines) != len(captions):
        timing_lines = [None] * len(captions)  # cannot happen in a file strict parsing accepts
    previous = -1
    cues = []
    for at, caption in zip(timing_lines, captions):
        start, end = caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds()
        if end <= start:
            problems.add(f"cue ends ({caption.end}) before it starts ({caption.start})", path, at,
                         hint="a cue's end time must come after its start time")
        if start < previous:
            problems.add(f"cue starts at {caption.start}, before the cue above it; WebVTT cues must be in order",
                         path, at)
        previous = max(previous, start)
        text = re.sub(r"\s+", " ", caption.text).strip()
        speaker = caption.voice
        if not speaker:
            text, speaker = _speaker_of(text)
        if text:
            cues.append(_Cue(_seconds(caption.start), _seconds(caption.end), text, speaker))
    return cues


def _locate_broken_cues(text: str, path: Path, problems: Problems) -> None:
    """Parse block by block to report each cue webvtt-py rejects at its own line."""
    import webvtt
    from webvtt.errors import MalformedCaptionError

    for line, block in _blocks(text)[1:]:
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        try:
            webvtt.from_string("WEBVTT\n\n" + "\n".join(block), strict=True)
        except MalformedCaptionError as exc:
            offset = next((i for i, text_line in enumerate(block) if "-->" in text_line), 0)
            reason = str(exc)
            if reason.startswith("Invalid cue block"):  # webvtt-py quotes the whole block: name the line
                reason = f"{block[offset]!r} is not a valid cue timing line"
            else:
                reason = reason[:1].lower() + reason[1:]
            problems.add(f"malformed WebVTT cue: {reason}", path, line + offset, hint=CUE_HINT)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line separated block."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None  # the lines of the block being read, None after a blank line
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            current = None
        elif current is None:
            current = [line]
            blocks.append((number, current))
        else:
            current.append(line)
    return blocks


def _parse_srt(text: str, path: Path, problems: Problems) -> list[_Cue]:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        start = exc.expected_start  # where the unparsable block begins (after any blank lines)
        while start < len(text) and text[start] in "\r\n":
            start += 1
        line = text.count("\n", 0, start) + 1
        problems.add("malformed SubRip subtitle: expected a number, a timing line "
                     "`00:01:02,500 --> 00:01:05,000` and text", path, line,
                     hint="check this block and the one before it (a missing blank line or a bad time)")
        return []
    if not subtitles:
        problems.add("the SubRip file holds no subtitles", path, 1)
    for subtitle in subtitles:
        if subtitle.end < subtitle.start:
            found = re.search(rf"^{subtitle.index}\s*$", text, re.M)
            problems.add(f"subtitle {subtitle.index} ends before it starts", path,
                         text.count("\n", 0, found.start()) + 1 if found else None)
    cues = []
    for subtitle in subtitles:
        plain = re.sub(r"<[^>]+>", "", subtitle.content)
        words, speaker = _speaker_of(re.sub(r"\s+", " ", plain).strip())
        if words:
            cues.append(_Cue(subtitle.start.total_seconds(), subtitle.end.total_seconds(), words, speaker))
    return cues


def _parse_json(text: str, path: Path, problems: Problems) -> list[_Cue]:
    """A Podcasting 2.0 JSON transcript: {"version": "1.0.0", "segments": [{startTime, endTime, body}]}."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(f"malformed JSON: {exc.msg}", path, exc.lineno)
        return []
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        problems.add('a JSON transcript needs {"version": "1.0.0", "segments": [...]}', path, 1)
        return []
    cues = []
    for i, segment in enumerate(data["segments"]):
        start = segment.get("startTime") if isinstance(segment, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)):
            problems.add(f"segments[{i}]: startTime must be a number of seconds", path,
                         hint='each segment is {"startTime": 1.5, "endTime": 3.0, "body": "..."}')
            return []
        end = segment.get("endTime")
        end = float(end) if isinstance(end, (int, float)) and not isinstance(end, bool) else float(start)
        words = re.sub(r"\s+", " ", str(segment.get("body") or "")).strip()
        speaker = segment.get("speaker") if isinstance(segment.get("speaker"), str) else None
        if words:
            cues.append(_Cue(float(start), end, words, speaker or None))
    return cues


_CUE_PARSERS = {".vtt": _parse_vtt, ".srt": _parse_srt, ".json": _parse_json}


def group_turns(cues: list[_Cue]) -> tuple[TranscriptTurn, ...]:
    """Cues joined into paragraphs: a new one per speaker change, pause or ~45 seconds.

    A cue with no speaker continues the current speaker's turn (SRT files name the
    speaker on their first line only).
    """
    turns: list[TranscriptTurn] = []
    start = end = 0.0
    speaker: str | None = None
    words: list[str] = []
    for cue in cues:
        new_speaker = cue.speaker is not None and cue.speaker != speaker
        if words and (new_speaker or cue.start - end > PAUSE or cue.start - start > LONGEST_TURN):
            turns.append(TranscriptTurn(start, " ".join(words), speaker))
            words = []
        if not words:
            start = cue.start
        speaker = cue.speaker or speaker
        words.append(cue.text)
        end = max(end, cue.end)
    if words:
        turns.append(TranscriptTurn(start, " ".join(words), speaker))
    # Name a speaker only where they change, like a printed interview.
    previous = [None] + [turn.speaker for turn in turns]
    return tuple(TranscriptTurn(turn.start, turn.text, None if turn.speaker == before else turn.speaker)
                 for turn, before in zip(turns, previous))


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


def _seconds(timestamp: str) -> float:
    return parse_timestamp(timestamp) or 0.0
