"""SVG drawn on the server, shown on a page as an image rather than as inline markup.

Inline SVG from matplotlib styles itself with ``style`` attributes and a ``<style>`` element, which the
Content-Security-Policy (``style-src 'self'``) refuses. As an ``<img>`` the drawing is a document of its
own: it keeps its styles, runs no script and loads nothing, and the page's policy stays strict.
``img-src`` allows ``data:`` URLs for this.
"""

from __future__ import annotations

import base64

from django import template

register = template.Library()


@register.filter
def svg_data_url(svg: str) -> str:
    """``data:`` URL of an SVG document (base64, so no character of it needs escaping in an attribute)."""
    encoded = base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
