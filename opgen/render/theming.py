"""A theme (opgen.theme) as the HTML pages and PDFs use it: the stylesheet it adds and its logo."""

from __future__ import annotations

import base64
from typing import Any

from markupsafe import Markup

from opgen.theme import COLOURS, DEFAULT_FONT, FONTS, Theme

# The assets opgen itself read (a theme's logo) that the PDF renderer serves by a reserved name
# (opgen.render.weasy.AssetFetcher): content-addressed, so a name always means the same bytes.
_SERVED: dict[str, tuple[bytes, str]] = {}


def serve_asset(name: str, data: bytes, mime: str) -> None:
    _SERVED[name] = (data, mime)


def served(url: str) -> tuple[bytes, str] | None:
    """(bytes, mime type) of an asset served by its reserved name, or None."""
    return _SERVED.get(url)


# Where the logo sits: top right of the full plan's cover below the band, at the left of the plan on a
# page's masthead, top right of the pack's cover report. Sized by height, never wider than its box.
LOGO_CSS = (".cover-logo { position: absolute; top: 70mm; right: 20mm; height: 20mm; width: auto; max-width: 70mm; }\n"
            ".mast-logo { display: table-cell; vertical-align: bottom; width: 1%; padding-right: 4mm; }\n"
            ".mast-logo img { display: block; height: 12mm; width: auto; max-width: 48mm; }\n"
            ".report-logo { display: block; height: 16mm; width: auto; max-width: 60mm; margin: 0 0 2mm auto; }")


def css(theme: Theme | None, fonts_url: str = "../fonts/") -> str:
    """The stylesheet a theme adds after base.css: @font-face rules for its font and a :root override
    of the custom properties base.css declares. '' for no theme (or a theme that changes nothing)."""
    if theme is None or theme.is_default:
        return ""
    rules = []
    family, _, faces = FONTS[theme.font]
    for weight, style, file in faces:
        rules.append(f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; '
                     f'src: url("{fonts_url}{file}"); }}')
    props = []
    if theme.font != DEFAULT_FONT:
        props.append(f'--font: "{family}"')
    for role, value in theme.colours:
        props.extend(f"{prop}: {value}" for prop in COLOURS[role][1])
    if props:
        rules.append(":root { " + "; ".join(props) + "; }")
    if theme.logo is not None:
        rules.append(LOGO_CSS)
    return "\n".join(rules)


def logo_view(theme: Theme | None) -> dict[str, str] | None:
    """The logo as a page shows it: {src: the reserved name the PDF renderer serves, inline_src: the
    logo as a data: URI, alt}. A page that is also made into a self-contained web edition (the pack's
    cover report, pack.html.j2) shows inline_src: the web edition may load nothing, and the PDF
    renderer serves that exact URI from memory too (it still refuses any other data: URI)."""
    if theme is None or theme.logo is None:
        return None
    serve_asset(theme.logo.name, theme.logo.data, theme.logo.mime)
    inline = f"data:{theme.logo.mime};base64,{base64.b64encode(theme.logo.data).decode('ascii')}"
    serve_asset(inline, theme.logo.data, theme.logo.mime)
    return {"src": theme.logo.name, "inline_src": inline, "alt": theme.logo.alt}


def render_context(theme: Theme | None) -> dict[str, Any]:
    """What a template needs of a theme: theme_css (Markup-safe: built from checked values only) and logo."""
    return {"theme_css": Markup(css(theme)), "logo": logo_view(theme)}


def word_styles(theme: Theme | None) -> dict[str, str]:
    """house_styles' arguments for a theme (opgen.render.docx.ooxml): its font (Inter, the default, keeps
    the annex's Arial, as Word users rarely have Inter) and its heading and brand colours. {} for none."""
    if theme is None or theme.is_default:
        return {}
    out = {"heading": theme.colour("heading")[1:], "primary": theme.colour("primary")[1:]}
    if theme.font != DEFAULT_FONT:
        out["font"] = theme.word_font
    return out
