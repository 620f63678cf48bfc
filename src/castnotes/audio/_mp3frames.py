"""Exact duration for MP3s that carry no Xing/VBRI header.

mutagen estimates such a file's length from the first frame's bitrate and the file
size, which is wrong for variable bitrate and counts trailing tags as audio.
castnotes promises the exact `itunes:duration` without reading whole files:

- small files (up to FULL_SCAN_BYTES) have every frame header walked;
- larger ones are sampled: runs of consecutive frames at many points across the
  file. When every sampled frame has one bitrate the file is constant bitrate and
  its length follows from the audio bytes; any difference means variable bitrate,
  and then every frame header is walked after all (payloads are skipped, never
  decoded). A few samples are not enough: a VBR file can keep one bitrate over most
  of its length, hence many points and runs of frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

_BITRATES = {  # (version, layer) -> kbit/s by index
    (1, 1): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    (1, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    (1, 3): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    (2, 1): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    (2, 2): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_BITRATES[(2, 3)] = _BITRATES[(2, 2)]
_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
_VERSIONS = {3: 1, 2: 2, 0: 25}  # header bits -> MPEG 1, 2, 2.5 (25)


@dataclass(frozen=True, slots=True)
class Frame:
    size: int  # bytes, header included
    samples: int
    bitrate: int  # bit/s
    sample_rate: int


def parse_header(b: bytes) -> Frame | None:
    """Parse a 4-byte MPEG audio frame header; None when it is not one."""
    if len(b) < 4 or b[0] != 0xFF or (b[1] & 0xE0) != 0xE0:
        return None
    version = _VERSIONS.get((b[1] >> 3) & 3)
    layer = 4 - ((b[1] >> 1) & 3)
    bitrate_index = b[2] >> 4
    rate_index = (b[2] >> 2) & 3
    if version is None or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    padding = (b[2] >> 1) & 1
    bitrate = _BITRATES[(1 if version == 1 else 2, layer)][bitrate_index] * 1000
    sample_rate = _RATES[version][rate_index]
    if layer == 1:
        samples, size = 384, (12 * bitrate // sample_rate + padding) * 4
    elif layer == 3 and version != 1:
        samples, size = 576, 72 * bitrate // sample_rate + padding
    else:
        samples, size = 1152, 144 * bitrate // sample_rate + padding
    return Frame(size, samples, bitrate, sample_rate)


FULL_SCAN_BYTES = 4 << 20
SAMPLE_POINTS = 64
FRAMES_PER_POINT = 6


def duration(fh: BinaryIO, audio_start: int, audio_end: int) -> float:
    """Exact duration of a header-less MP3 between `audio_start` and `audio_end`."""
    if audio_end - audio_start <= FULL_SCAN_BYTES:
        return scan_duration(fh, audio_start, audio_end)
    first = _frame_run(fh, audio_start, audio_end, 1)
    if not first:
        return 0.0
    frame = first[0]
    span = audio_end - audio_start
    for point in range(1, SAMPLE_POINTS):
        run = _frame_run(fh, audio_start + span * point // SAMPLE_POINTS, audio_end, FRAMES_PER_POINT)
        if any(f.bitrate != frame.bitrate or f.sample_rate != frame.sample_rate for f in run):
            return scan_duration(fh, audio_start, audio_end)
    # Constant bitrate: frames average bitrate * samples / 8 / rate bytes (padding included).
    return (audio_end - audio_start) * 8 / frame.bitrate


def _frame_run(fh: BinaryIO, offset: int, end: int, count: int) -> list[Frame]:
    """`count` consecutive frames from the first frame sync at or after `offset`."""
    fh.seek(offset)
    data = fh.read(min(16384, max(0, end - offset)))
    for i in range(len(data) - 3):
        if data[i] != 0xFF:
            continue
        frames: list[Frame] = []
        j = i
        while len(frames) < max(count, 3) and j + 4 <= len(data):
            frame = parse_header(data[j : j + 4])
            # A stream keeps its layer, version and sample rate: a chain that changes them
            # started on bytes inside a frame that only looked like a header.
            if frame is None or (frames and (frame.samples, frame.sample_rate) !=
                                 (frames[0].samples, frames[0].sample_rate)):
                break
            frames.append(frame)
            j += frame.size
        if len(frames) >= 3 or (frames and j + 4 > len(data)):
            return frames[:count]
    return []


def scan_duration(fh: BinaryIO, audio_start: int, audio_end: int) -> float:
    """Walk every frame header from `audio_start`; return the exact duration in seconds."""
    samples = 0
    sample_rate = 0
    pos = audio_start
    chunk_start, chunk = pos, b""
    while pos + 4 <= audio_end:
        if not (chunk_start <= pos and pos + 4 <= chunk_start + len(chunk)):
            fh.seek(pos)
            chunk_start, chunk = pos, fh.read(1 << 20)
            if len(chunk) < 4:
                break
        i = pos - chunk_start
        frame = parse_header(chunk[i : i + 4])
        if frame is None:  # garbage between frames: resync on the next 0xFF
            nxt = chunk.find(b"\xff", i + 1)
            pos = chunk_start + (nxt if nxt != -1 else len(chunk))
            continue
        if pos + frame.size > audio_end:
            break
        samples += frame.samples
        sample_rate = frame.sample_rate
        pos += frame.size
    return samples / sample_rate if sample_rate else 0.0
