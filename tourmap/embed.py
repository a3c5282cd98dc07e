"""The embed: the snippet a newsroom pastes into an article, and the map page's half of it.

Pasted into an article, a relative `src` points into the article's own site, so the snippet uses
absolute addresses built from `site.base_url` (without it `publish` warns: the snippet only works
beside the map). The map page tells the page that embeds it how tall its content is with
`postMessage` (the convention Datawrapper, Flourish and others use); the snippet's script sets the
iframe to that height, only for messages from its own iframe. Without JavaScript the snippet
shows the map's image, linked to the map, with a text alternative that says what the map shows.
"""
from __future__ import annotations

import html

from .config import Settings
from .models import Tour
from .wording import LABELS, country_name, date_text, lang_of, titles

MESSAGE_KEY = "tourmap-height"
DEFAULT_HEIGHT = 640  # px, until the map page reports its own

# The map page's half: report the height its content wants (header + a map as tall as the width
# allows + the whole footer), whenever that can change. Nothing happens outside an iframe.
HEIGHT_SCRIPT = """(function () {
  if (window.parent === window) { return; }
  var last = 0;
  function send() {
    var head = document.querySelector(".tm-head"), foot = document.querySelector(".tm-foot");
    var w = window.innerWidth;
    var h = (head ? head.offsetHeight : 0) + Math.max(300, Math.min(640, Math.round(w * 0.62)))
      + (foot ? foot.scrollHeight + 1 : 0);
    if (h !== last) { last = h; window.parent.postMessage({"%s": h}, "*"); }
  }
  window.addEventListener("load", send);
  window.addEventListener("resize", send);
  if (window.ResizeObserver) { new ResizeObserver(send).observe(document.body); }
})();""" % MESSAGE_KEY

# The article's half: resize this snippet's iframe to what its own map page reports.
RESIZE_SCRIPT = (
    "(function(){var s=document.currentScript,f=s&&s.parentNode.querySelector('iframe');if(!f)return;"
    "window.addEventListener('message',function(e){if(e.source!==f.contentWindow)return;"
    "var h=e.data&&e.data['%s'];if(typeof h==='number'&&h>=200&&h<=5000)f.style.height=Math.round(h)+'px';"
    "});})();" % MESSAGE_KEY
)


def height_reporter():
    """A folium element that puts HEIGHT_SCRIPT into the map page's script."""
    from branca.element import MacroElement
    from folium.template import Template

    class ReportHeight(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}" + HEIGHT_SCRIPT + "\n{% endmacro %}")

        def __init__(self):
            super().__init__()
            self._name = "ReportHeight"

    return ReportHeight()


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def text_alternative(tour: Tour) -> str:
    """What the map shows, as one paragraph in the tour's language (the image's alt text)."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    title, subtitle = titles(tour)
    parts = []
    for i, s in enumerate(tour.stops, 1):
        place = s.name + (f" ({country_name(s.country, lang)})" if s.country else "")
        status = lab["completed"] if s.status == "completed" else lab["planned"]
        bit = f"{i}. {place}, {date_text(s.date, lang, end=s.date_end, short=True)}, {status}"
        if s.met:
            bit += f", {lab['with']} {', '.join(s.met)}"
        parts.append(bit)
    text = f"{lab['map']}: {title}. {subtitle}."
    if parts:
        text += f" {lab['stops']}: " + "; ".join(parts) + "."
    return " ".join(text.split())


def embed_snippet(tour: Tour, *, settings: Settings) -> str:
    """embed.html: the iframe to paste into an article, resizing itself, with a no-JS fallback."""
    title, _ = titles(tour)
    base = settings.site.base_url
    page = f"{base}{tour.slug}/index.html" if base else "index.html"
    image = f"{base}{tour.slug}/map.png" if base else "map.png"
    box = f"tourmap-{tour.slug}"
    alt = text_alternative(tour)
    if settings.map.static_images:
        fallback = f'<img src="{_esc(image)}" alt="{_esc(alt)}" style="display:block;width:100%;height:auto">'
    else:  # no image to show: the text alone
        fallback = _esc(alt)
    return (
        f'<div class="tourmap-embed" id="{_esc(box)}" style="max-width:980px;margin:0 auto">\n'
        f'<iframe src="{_esc(page)}" title="{_esc(title)}" loading="lazy" '
        f'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
        f'referrerpolicy="strict-origin-when-cross-origin" '
        f'style="display:block;width:100%;height:{DEFAULT_HEIGHT}px;border:0"></iframe>\n'
        f"<noscript><style>#{_esc(box)} iframe{{display:none}}</style>"
        f'<a href="{_esc(page)}">{fallback}</a></noscript>\n'
        f"<script>{RESIZE_SCRIPT}</script>\n"
        f"</div>\n"
    )
