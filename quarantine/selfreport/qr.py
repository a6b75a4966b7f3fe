"""QR codes as inline SVG, made on the server (segno), for printed door cards."""
from __future__ import annotations

import segno
from markupsafe import Markup

# A fixed mask pattern: choosing the best of eight costs four times as long (a 500-room door-card
# print would take seconds), and every mask pattern is a valid code that phone cameras read.
MASK = 3


def qr_svg(text: str, *, scale: int = 3, title: str = "") -> Markup:
    """The code as an <svg> element (no XML declaration), ready to place in a page."""
    code = segno.make_qr(text, error="m", mask=MASK)
    return Markup(code.svg_inline(scale=scale, border=2, title=title or None, omitsize=False))
