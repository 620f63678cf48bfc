"""Exact duration for MP3s that carry no Xing/VBRI header.

mutagen estimates such a file's length from the first frame's bitrate and the file
size, which is wrong for variable bitrate and counts trailing tags as audio.
castnotes promises the exact `itunes:duration`, so for header-less files it walks
every frame header (payloads are skipped, never decoded). Sampling a few frames is
not enough: a VBR file can share one bitrate over most of its length.
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
