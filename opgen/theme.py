"""House style: a plan's or a pack's optional `theme` (font, colours, logo), checked and read once.

The NHS identity is the default (no theme, or a theme that sets nothing, prints today's papers byte for
byte). A theme may choose the body font (Inter, or Liberation Sans: metric-compatible with Arial, for
teams that must match the NHS identity's Arial; both shipped in opgen/resources/fonts, never fetched),
the brand colours of the roles that carry no meaning (brand blue, headings, rules), and a logo.
RAG, risk and status colours are never themeable: they carry meaning and are checked for contrast.

The logo is read here, by opgen, from inside the plan's repository folder (a PNG or JPEG by its magic
bytes, at most 1 MB, with alt text); the renderers receive its bytes, never its path.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from opgen.diagnostics import ERROR, Diagnostic, format_yaml_path

# The fonts a theme may name: key -> (CSS family, Word font name, [(weight, style, file)]).
FONTS: dict[str, tuple[str, str, tuple[tuple[int, str, str], ...]]] = {
    "inter": ("Inter", "Inter", ()),   # base.css declares Inter's faces
    "liberation-sans": ("Liberation Sans", "Liberation Sans", (
        (400, "normal", "LiberationSans-Regular.ttf"), (400, "italic", "LiberationSans-Italic.ttf"),
        (600, "normal", "LiberationSans-Bold.ttf"), (600, "italic", "LiberationSans-BoldItalic.ttf"),
        (700, "normal", "LiberationSans-Bold.ttf"), (700, "italic", "LiberationSans-BoldItalic.ttf"),
    )),
}
DEFAULT_FONT = "inter"
# The themeable colour roles, their NHS identity defaults, the CSS custom properties each sets (base.css
# declares them) and the contrast each needs on white: primary and heading are text colours (and the
# background of white text, the same ratio), accent draws rules and borders (non-text, 3:1).
COLOURS: dict[str, tuple[str, tuple[str, ...], float]] = {
    "primary": ("#005EB8", ("--brand",), 4.5),
    "heading": ("#003087", ("--heading",), 4.5),
    "accent": ("#005EB8", ("--accent",), 3.0),
}
LOGO_MAX_BYTES = 1_000_000
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": ("image/png", "png"), b"\xff\xd8\xff": ("image/jpeg", "jpg")}


@dataclass(frozen=True, slots=True)
class Logo:
    written: str                 # the path as the file writes it
    alt: str                     # alt text (required)
    mime: str                    # image/png | image/jpeg
    sha256: str                  # of the bytes: in the model's repr, so in every output's cache key
    data: bytes = field(repr=False, compare=False)
    file: str = field(default="", repr=False, compare=False)   # absolute path read (for the build cache)

    @property
    def name(self) -> str:
        """The reserved name the PDF renderer serves the bytes by (opgen.render.weasy)."""
        return f"opgen-asset:logo-{self.sha256[:32]}.{LOGO_TYPES_BY_MIME[self.mime]}"


LOGO_TYPES_BY_MIME = {mime: ext for mime, ext in LOGO_TYPES.values()}


@dataclass(frozen=True, slots=True)
class Theme:
    font: str = DEFAULT_FONT
    colours: tuple[tuple[str, str], ...] = ()   # (role, "#RRGGBB") the theme sets, in COLOURS order
    logo: Logo | None = None

    @property
    def is_default(self) -> bool:
        return self.font == DEFAULT_FONT and not self.colours and self.logo is None

    def colour(self, role: str) -> str:
        return dict(self.colours).get(role) or COLOURS[role][0]

    @property
    def font_family(self) -> str:
        return FONTS[self.font][0]

    @property
    def word_font(self) -> str:
        return FONTS[self.font][1]


# --- colour arithmetic (WCAG 2.x) --------------------------------------------------------------

def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def darker(colour: str, needed: float) -> str:
    """The lightest shade of `colour` (same hue, scaled towards black) with at least `needed`:1 on white."""
    r, g, b = _rgb(colour)
    low, high = 0.0, 1.0
    for _ in range(30):
        mid = (low + high) / 2
        if contrast_on_white(_hex(r * mid, g * mid, b * mid)) >= needed:
            low = mid
        else:
            high = mid
    shade = _hex(r * low, g * low, b * low)
    while contrast_on_white(shade) < needed:   # rounding: one step darker
        low -= 0.004
        shade = _hex(r * low, g * low, b * low)
    return shade


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{max(0, min(255, int(c))):02X}" for c in (r, g, b))


def ratio_text(ratio: float) -> str:
    return f"{int(ratio * 10) / 10:.1f}:1"   # rounded down: 4.49 never prints as 4.5


# --- reading and checking a theme -----------------------------------------------------------------

def repository_root(file: Path) -> Path:
    """The folder a theme's files must stay inside: the nearest folder above the plan (or pack) file
    holding .git, else the file's own folder."""
    start = file.resolve().parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def read_theme(doc, where: tuple, source: Path | None) -> tuple[Theme | None, list[Diagnostic]]:
    """The theme at `where` in a loaded (schema-checked) YAML document: (Theme or None when absent,
    located diagnostics). `source` is the file the document was read from (logo paths are relative to
    it); None when it came from elsewhere (a git revision): the logo is then not read."""
    raw = doc.data
    for key in where:
        raw = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        return None, []
    found: list[Diagnostic] = []

    def error(path: tuple, message: str, hint: str, code: str, key: bool = False) -> None:
        line, column = doc.position(where + path, key=key)
        found.append(Diagnostic(doc.path, line, column, ERROR, code, message, hint, format_yaml_path(where + path)))

    colours = []
    for role, value in (raw.get("colours") or {}).items():
        needed = COLOURS[role][2]
        ratio = contrast_on_white(value)
        if ratio < needed:
            suggestion = darker(value, needed)
            use = "text and the background of white text" if needed > 4 else "rules and borders"
            error(("colours", role), f"the theme's {role} colour {value} has a contrast of {ratio_text(ratio)} on "
                  f"white; its {use} need at least {needed:g}:1",
                  f"use a darker shade, e.g. {suggestion} ({ratio_text(contrast_on_white(suggestion))})", "contrast")
        colours.append((role, value.upper()))
    given = dict(colours)
    if "primary" in given and "accent" not in given:   # rules follow the brand colour unless told otherwise
        colours.append(("accent", given["primary"]))
    colours.sort(key=lambda rc: list(COLOURS).index(rc[0]))
    # a colour set to its default is no change: the paper stays the NHS identity's, byte for byte
    colours = [(role, value) for role, value in colours if value != COLOURS[role][0]]

    logo = None
    if "logo" in raw:
        if not str(raw.get("logo_alt") or "").strip():
            error(("logo",), "the logo has no alt text", "add 'logo_alt:' with what the logo says, e.g. "
                  "logo_alt: \"NHS Swale Clinical Commissioning Group\" (screen readers read it)", "logo-alt", key=True)
        elif source is not None:
            logo = _read_logo(raw["logo"], raw["logo_alt"].strip(), source, lambda m, h, c: error(("logo",), m, h, c))
    elif "logo_alt" in raw:
        error(("logo_alt",), "'logo_alt' is given without a logo", "add 'logo:' (a PNG or JPEG beside the plan, "
              "e.g. logos/our-ccg.png), or remove 'logo_alt:'", "logo-alt", key=True)
    if found:
        return None, found
    return Theme(font=raw.get("font", DEFAULT_FONT), colours=tuple(colours), logo=logo), []


def _read_logo(written: str, alt: str, source: Path, error) -> Logo | None:
    root = repository_root(source)
    path = (source.resolve().parent / os.path.expanduser(written)).resolve()
    if os.path.isabs(os.path.expanduser(written)) or not path.is_relative_to(root):
        error(f"the logo {written} is outside the plan's repository folder ({root.as_posix()})",
              "put the logo inside the repository, e.g. logos/our-ccg.png, and write its path relative to "
              "this file", "logo-outside")
        return None
    if not path.is_file():
        what = "is a folder, not an image" if path.is_dir() else "does not exist"
        error(f"the logo {written} ({path.as_posix()}) {what}",
              f"logo paths are relative to this file's folder ({source.parent.as_posix() or '.'}/); check the "
              f"path and spelling", "logo-not-found")
        return None
    try:
        size = path.stat().st_size
        if size > LOGO_MAX_BYTES:
            error(f"the logo {written} is {size / 1_000_000:.1f} MB; a logo may be at most 1 MB",
                  "save a smaller PNG or JPEG (a logo printed 15 mm high needs about 600 pixels across)", "logo-size")
            return None
        data = path.read_bytes()
    except OSError as e:
        error(f"cannot read the logo {written}: {e.strerror}", "check the file's permissions", "logo-unreadable")
        return None
    kind = next((t for magic, t in LOGO_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        error(f"the logo {written} is not a PNG or JPEG image (its first bytes say otherwise, whatever its name)",
              "export the logo as PNG (or JPEG) and point 'logo:' at that file", "logo-type")
        return None
    return Logo(written, alt, kind[0], hashlib.sha256(data).hexdigest(), data, str(path))


def source_file(name: str) -> Path | None:
    """The file a document was read from, when it is one on disk (a plan from git is not)."""
    path = Path(name)
    return path if path.is_file() else None


def files_read(theme: Theme | None) -> dict[str, str]:
    """{absolute path: sha256} of the files a theme read besides the plan (its logo): a build whose
    plan file did not change must still notice a new logo."""
    if theme is None or theme.logo is None or not theme.logo.file:
        return {}
    return {theme.logo.file: theme.logo.sha256}
