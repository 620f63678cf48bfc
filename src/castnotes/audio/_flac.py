"""Detect a truncated FLAC file from its last frames.

FLAC's STREAMINFO states the total sample count, so mutagen reports the full
duration even when the end of the file is missing. Each FLAC frame header carries
its frame (or sample) number and a CRC-8, so reading the tail of the file tells
where the audio really stops. Two consecutive valid headers are required, which
rules out a stray sync code inside compressed data.
"""

from __future__ import annotations

from typing import BinaryIO

TAIL_BYTES = 128 * 1024


def _crc8(data: bytes) -> int:
    """The CRC-8 (polynomial 0x07) ending a frame header; bit by bit, as headers are a few bytes."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _utf8_number(data: bytes, i: int) -> tuple[int, int] | None:
    """FLAC's UTF-8-like coded number at data[i]: (value, bytes used)."""
    if i >= len(data):
        return None
    first = data[i]
    if first < 0x80:
        return first, 1
    length = 8 - (~first & 0xFF).bit_length()  # the leading 1 bits: how many bytes the number takes
    if length < 2 or length > 7 or i + length > len(data):
        return None
    value = first & (0xFF >> (length + 1))
    for byte in data[i + 1 : i + length]:
        if byte & 0xC0 != 0x80:
            return None
        value = (value << 6) | (byte & 0x3F)
    return value, length


def _parse_header(data: bytes, i: int, fixed_block: int) -> tuple[int, int] | None:
    """(first sample, block size) of a frame header at data[i], or None."""
    if i + 6 > len(data) or data[i] != 0xFF or data[i + 1] not in (0xF8, 0xF9):
        return None
    variable = data[i + 1] == 0xF9
    size_code, rate_code = data[i + 2] >> 4, data[i + 2] & 0x0F
    channels, sample_size, reserved = data[i + 3] >> 4, (data[i + 3] >> 1) & 7, data[i + 3] & 1
    if size_code == 0 or rate_code == 15 or channels > 10 or sample_size == 3 or reserved:
        return None
    coded = _utf8_number(data, i + 4)
    if coded is None:
        return None
    number, used = coded
    j = i + 4 + used
    if size_code == 6:
        block, j = data[j] + 1 if j < len(data) else 0, j + 1
    elif size_code == 7:
        block, j = int.from_bytes(data[j : j + 2], "big") + 1, j + 2
    elif size_code == 1:
        block = 192
    elif size_code <= 5:
        block = 576 << (size_code - 2)
    else:
        block = 256 << (size_code - 8)
    if rate_code == 12:
        j += 1
    elif rate_code in (13, 14):
        j += 2
    if j >= len(data) or _crc8(data[i:j]) != data[j]:
        return None
    start = number if variable else number * fixed_block
    return start, block


def first_frame_follows_metadata(fh: BinaryIO, size: int, fixed_block: int) -> bool:
    """True when a valid frame header starts where the metadata blocks end.

    A FLAC's STREAMINFO announces its length; without this a file of headers alone
    (a few hundred bytes) would be published with that length.
    """
    fh.seek(4)  # after "fLaC"
    position = 4
    while True:
        header = fh.read(4)
        if len(header) < 4:
            return False
        last, length = header[0] & 0x80, int.from_bytes(header[1:4], "big")
        position += 4 + length
        if position >= size:
            return False
        fh.seek(position)
        if last:
            break
    return _parse_header(fh.read(64), 0, fixed_block) is not None


def audio_end_sample(fh: BinaryIO, size: int, fixed_block: int) -> int | None:
    """The last sample the file really holds, or None when the tail shows no frames."""
    start = max(0, size - TAIL_BYTES)
    fh.seek(start)
    data = fh.read()
    frames: dict[int, int] = {}
    for sync in (b"\xff\xf8", b"\xff\xf9"):  # fixed and variable blocking strategy
        i = data.find(sync)
        while i != -1:
            parsed = _parse_header(data, i, fixed_block)
            if parsed:
                frames[parsed[0]] = parsed[1]
            i = data.find(sync, i + 1)
    frame_ends = {s + b for s, b in frames.items()}
    ends = [s + b for s, b in frames.items() if s in frame_ends]
    return max(ends) if ends else None
