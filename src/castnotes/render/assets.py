"""The theme's CSS and JavaScript as published: comments and indentation taken out.

Every page must stay under its weight budget (60 KB of HTML, CSS and JS before
images and audio), and readable sources with comments cost a third of that. The
stripping is deliberately conservative, so it cannot change what the code means:
CSS loses comments and the whitespace around `{ } ; ,`; JavaScript loses only the
indentation at line starts and comments that stand on lines of their own (line
breaks stay, so automatic semicolons stay where they were). Other files pass as is.
"""

from __future__ import annotations

import re

_CSS_TOKEN = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|/\*.*?\*/""", re.S)
_CSS_SPACE = re.compile(r"\s*([{};,])\s*")
_LEADING_ZERO = re.compile(r"(?<![\w.#-])0\.(?=\d)")
_JS_BLOCK_COMMENT = re.compile(r"^[ \t]*/\*.*?\*/[ \t]*\n", re.S | re.M)
_JS_LINE_COMMENT = re.compile(r"^[ \t]*//[^\n]*\n", re.M)


def minify_css(text: str) -> str:
    """Comments out, whitespace squeezed; quoted strings are kept exactly."""
    parts = _CSS_TOKEN.split(text)  # CSS, a string (None for a comment), CSS, ...
    parts[::2] = [_squeeze(css) for css in parts[::2]]
    parts[1::2] = [string or " " for string in parts[1::2]]  # a string as is; a comment is gone
    return "".join(parts).strip() + "\n"


def _squeeze(css: str) -> str:
    css = _CSS_SPACE.sub(r"\1", re.sub(r"\s+", " ", css)).replace(";}", "}")
    css = css.replace(": ", ":")  # `color: red`; never `a :hover`, whose space is before the colon
    return _LEADING_ZERO.sub(".", css)  # `0.5rem` -> `.5rem`


def minify_js(text: str) -> str:
    out = _JS_BLOCK_COMMENT.sub("", text)
    out = _JS_LINE_COMMENT.sub("", out)
    lines = [line.strip() for line in out.splitlines()]
    return "\n".join(line for line in lines if line) + "\n"


def minifiable(site_path: str) -> bool:
    return site_path.endswith((".css", ".js"))


def minify(site_path: str, data: bytes) -> bytes:
    """`data` minified when `site_path` is a .css or .js file, else unchanged."""
    if site_path.endswith(".css"):
        return minify_css(data.decode("utf-8")).encode("utf-8")
    if site_path.endswith(".js"):
        return minify_js(data.decode("utf-8")).encode("utf-8")
    return data


_KEEP_AS_IS = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.S | re.I)
_INDENT = re.compile(r"\n[ \t]+")


def compact_html(html: str) -> str:
    """A page without the templates' indentation: the spaces at line starts go (the line
    break stays, so the text reads the same), except inside <pre>, <textarea> and <script>."""
    parts = _KEEP_AS_IS.split(html)  # text, a kept element, text, ...
    parts[::2] = [_INDENT.sub("\n", part) for part in parts[::2]]
    return "".join(parts)
