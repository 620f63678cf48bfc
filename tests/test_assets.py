"""Theme CSS and JS are published minified, pages without indentation; none of it changes meaning."""

from __future__ import annotations

from castnotes.render.assets import compact_html, minify_css, minify_js
from castnotes.render.pages import default_theme_dir


def test_css_loses_comments_and_spaces_but_keeps_strings() -> None:
    css = '/* theme */\na :hover , b > c {\n  content: "a, /* b */ c" ;\n  margin: 0 auto;\n}\n'
    assert minify_css(css) == 'a :hover,b > c{content:"a, /* b */ c";margin:0 auto}\n'


def test_js_keeps_its_lines() -> None:
    js = "(function () {\n  /* a comment\n     on two lines */\n  var a = 1  // trailing\n  // whole line\n  return a\n})();\n"
    assert minify_js(js) == "(function () {\nvar a = 1  // trailing\nreturn a\n})();\n"


def test_the_theme_shrinks() -> None:
    css = (default_theme_dir() / "assets" / "style.css").read_text()
    js = (default_theme_dir() / "assets" / "player.js").read_text()
    assert len(minify_css(css)) < 0.9 * len(css) and "/*" not in minify_css(css)
    assert len(minify_js(js)) < 0.9 * len(js)
    assert minify_css(css).count("{") == css.count("{")  # no rule lost (the theme's comments hold no braces)
    assert minify_css(css).count("}") == minify_css(css).count("{")


def test_pages_lose_indentation_but_not_preformatted_text() -> None:
    html = "<div>\n    <p>text</p>\n    <pre>  code\n    indented</pre>\n  <script>\n  var x;\n  </script>\n</div>\n"
    assert compact_html(html) == "<div>\n<p>text</p>\n<pre>  code\n    indented</pre>\n<script>\n  var x;\n  </script>\n</div>\n"
