"""The one image reader: format, size and colour mode of a picture, read with Pillow.

The show's and episodes' artwork (sizes in the HTML), `check` (Apple's artwork
rules), the web copies and `tag` (FLAC picture blocks) all ask the same question;
asking it in one place means one list of the errors Pillow raises for a bad file.
Only the header is read: Pillow decodes no pixels to answer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from castnotes.errors import CastnotesError


def is_png(data: bytes) -> bool:
    """Whether picture bytes are a PNG (its signature; no decoding): the only alternative
    castnotes keeps is JPEG, so this picks a picture's suffix and MIME type."""
    return data[:8] == b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str | None  # Pillow's name: "JPEG", "PNG", ...
    width: int
    height: int
    mode: str  # "RGB", "RGBA", "CMYK", ...


def image_info(source: Path | bytes) -> ImageInfo:
    """Read a picture file or picture bytes; CastnotesError when Pillow cannot read it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            return ImageInfo(image.format, image.size[0], image.size[1], image.mode)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise CastnotesError.single(f"cannot read the image: {exc}",
                                    source if isinstance(source, Path) else None,
                                    hint="save it as a JPEG or PNG") from None
