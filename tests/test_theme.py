"""House style: a plan's or pack's `theme` (font, colours, logo). A themed plan prints in its font and
colours with its logo as a tagged figure; a bad theme is a located error with a fix; a plan without a
theme prints as it always did; a new logo rebuilds the papers even when the plan file is unchanged."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from opgen import outputs
from opgen.cli import main
from opgen.pack.spec import load_pack
from opgen.pipeline import plan_from_file
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html
from opgen.render.pdf import operational_plan_pdf, plan_on_a_page_pdf
from opgen.render.theming import css
from opgen.theme import contrast_on_white, darker

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "thanet-2015-16.yaml"   # a short plan: quick to lay out
PRIMARY, HEADING = "#00789E", "#1D3A5F"          # 4.9:1 and 11.6:1 on white
THEME = f"""
theme:
  font: liberation-sans
  colours: {{primary: "{PRIMARY}", heading: "{HEADING}"}}
  logo: logos/our-ccg.png
  logo_alt: NHS Thanet Clinical Commissioning Group
"""


def make_logo(path: Path, colour: str = "#C8102E") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (480, 160), "white")
    ImageDraw.Draw(image).rectangle([300, 20, 460, 140], fill=colour)
    image.save(path, format="PNG")


def themed_repo(base: Path, theme: str = THEME) -> Path:
    """A plans repository (a .git folder marks its root) holding the plan with `theme` and its logo."""
    (base / ".git").mkdir(parents=True, exist_ok=True)
    (base / "plans").mkdir(exist_ok=True)
    make_logo(base / "plans" / "logos" / "our-ccg.png")
    plan = base / "plans" / "thanet.yaml"
    plan.write_text(PLAN.read_text(encoding="utf-8") + theme, encoding="utf-8")
    return plan


def font_names(pdf: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {str(font.get("/BaseFont")).split("+", 1)[-1]
                for page in doc.pages for font in (page.Resources.get("/Font") or {}).values()}


def figures(pdf: bytes) -> list[str]:
    """The /Alt of every Figure in the PDF's structure tree."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        def walk(node):
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    found.append(str(node.get("/Alt", "")))
                kids = node.get("/K")
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                    walk(kid)
        walk(doc.Root.StructTreeRoot)
    return found


def pixels(pdf: bytes, page: int = 1) -> dict[tuple[int, int, int], int]:
    """Colour -> how many pixels of it, on `page` rendered at 30 dpi by poppler (as a reader sees it)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "in.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                        str(Path(folder) / "in.pdf"), str(Path(folder) / "page")], check=True, capture_output=True)
        png = (Path(folder) / "page.png").read_bytes()
    counts: dict[tuple[int, int, int], int] = {}
    for count, colour in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20):
        counts[colour] = count
    return counts


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def count(counts: dict[tuple[int, int, int], int], hex_colour: str) -> int:
    """Pixels of this colour, give or take poppler's rounding (1 in 255 per channel)."""
    want = rgb(hex_colour)
    return sum(n for colour, n in counts.items() if all(abs(a - b) <= 1 for a, b in zip(colour, want)))


@pytest.fixture(scope="module")
def themed(tmp_path_factory):
    plan = themed_repo(tmp_path_factory.mktemp("themed"))
    result = plan_from_file(plan)
    assert result.ok, [d.as_text() for d in result.report.errors]
    diagnostics = result.report.diagnostics
    full_html, full = operational_plan_pdf(result.plan, diagnostics)
    pop_html, pop = plan_on_a_page_pdf(result.plan, diagnostics)
    return {"result": result, "full": full, "pop": pop, "full_html": full_html, "pop_html": pop_html,
            "docx": annex_docx(result.plan, diagnostics)}


# --- a themed plan builds in its font, colours and logo ------------------------------------------

def test_a_themed_plan_prints_in_liberation_sans_only(themed):
    for name in ("full", "pop"):
        fonts = font_names(themed[name])
        assert fonts and all(f.startswith("Liberation-Sans") for f in fonts), (name, fonts)


def test_a_themed_plan_prints_in_its_colours_not_nhs_blue(themed):
    cover = pixels(themed["full"])
    # the cover band is filled with the theme's primary colour; NHS Blue is nowhere on the cover
    assert count(cover, PRIMARY) > 2000, "the cover band is not in the theme's primary colour"
    assert count(cover, "#005EB8") == 0   # rules follow the primary colour when no accent is given
    # the plan on a page's programme headers (white on the heading colour)
    pop = pixels(themed["pop"])
    assert count(pop, HEADING) > 200 and count(pop, "#003087") == 0


def test_the_logo_is_on_the_cover_and_the_plan_on_a_page_as_a_figure_with_alt_text(themed):
    for name in ("full", "pop"):
        assert figures(themed[name]) == ["NHS Thanet Clinical Commissioning Group"], name
        with pikepdf.open(io.BytesIO(themed[name])) as doc:
            images = [img for img in doc.pages[0].Resources.get("/XObject", {}).values()
                      if img.get("/Subtype") == "/Image"]
            assert [(int(i.Width), int(i.Height)) for i in images] == [(480, 160)], name
    # the logo's red is printed (nothing else on the cover is that red)
    assert count(pixels(themed["full"]), "#C8102E") > 50


def test_the_logo_is_served_from_memory_never_fetched_from_the_plans_folder(themed):
    for name in ("full_html", "pop_html"):
        srcs = re.findall(r'<img[^>]*src="([^"]+)"', themed[name])
        assert srcs and all(s.startswith("opgen-asset:logo-") for s in srcs), srcs
        assert "logos/our-ccg.png" not in themed[name]


def test_the_word_annex_uses_the_themes_font_and_heading_colour(themed):
    styles = zipfile.ZipFile(io.BytesIO(themed["docx"])).read("word/styles.xml").decode()
    heading1 = re.search(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert f'w:val="{HEADING[1:]}"' in heading1
    assert 'w:ascii="Liberation Sans"' in styles and 'w:ascii="Arial"' not in styles


# --- no theme: today's papers ---------------------------------------------------------------------

def test_a_plan_without_a_theme_has_no_theme_stylesheet_nor_logo():
    result = plan_from_file(PLAN)
    assert result.plan.theme is None
    html = operational_plan_html(result.plan, result.report.diagnostics)
    assert "<style>" not in html and "opgen-asset:" not in html and "var(--" not in html


def test_a_theme_that_changes_nothing_prints_the_same_bytes_as_no_theme(tmp_path):
    plain = plan_from_file(themed_repo(tmp_path / "plain", ""))   # the same file name: the annex prints it
    same = themed_repo(tmp_path / "same", '\ntheme:\n  font: inter\n  colours: {primary: "#005eb8", heading: "#003087"}\n')
    result = plan_from_file(same)
    assert result.ok and result.plan.theme is not None and css(result.plan.theme) == ""
    assert plan_on_a_page_pdf(result.plan, result.report.diagnostics)[1] == \
        plan_on_a_page_pdf(plain.plan, plain.report.diagnostics)[1]
    assert annex_docx(result.plan, result.report.diagnostics) == annex_docx(plain.plan, plain.report.diagnostics)


# --- a bad theme is a located error with a fix ----------------------------------------------------

def _errors(tmp_path, theme: str, setup=None):
    plan = themed_repo(tmp_path, theme)
    if setup:
        setup(plan.parent)
    result = plan_from_file(plan)
    text = plan.read_text(encoding="utf-8").splitlines()
    return [(d, text[d.line - 1]) for d in result.report.errors]


@pytest.mark.parametrize("theme, line_has, message, fix", [
    ('\ntheme: {colours: {primary: "#12345"}}\n', "#12345", "'#12345' is not a valid", "#RRGGBB"),
    ('\ntheme: {colours: {heading: blue}}\n', "blue", "'blue' is not a valid", "#RRGGBB"),
    ('\ntheme:\n  font: arial\n', "arial", "arial", "inter, liberation-sans"),
    ('\ntheme:\n  colours:\n    primary: "#41B6E6"\n', "#41B6E6", "contrast of 2.3:1 on white", "darker shade, e.g. #"),
    ('\ntheme:\n  colours:\n    accent: "#E8EDEE"\n', "#E8EDEE", "contrast of 1.1:1", "darker shade"),
    ('\ntheme:\n  logo: logos/missing.png\n  logo_alt: Our CCG\n', "missing.png", "does not exist", "relative to"),
    ('\ntheme:\n  logo: logos/our-ccg.png\n', "logo:", "no alt text", "logo_alt:"),
    ('\ntheme:\n  logo: ../../outside.png\n  logo_alt: Our CCG\n', "outside.png", "outside the plan's repository",
     "inside the repository"),
    ('\ntheme:\n  logo: logos/not-an-image.png\n  logo_alt: Our CCG\n', "not-an-image.png", "not a PNG or JPEG",
     "export the logo as PNG"),
    ('\ntheme:\n  logo: logos/huge.png\n  logo_alt: Our CCG\n', "huge.png", "at most 1 MB", "smaller"),
])
def test_a_bad_theme_is_a_located_error_with_a_fix(tmp_path, theme, line_has, message, fix):
    def setup(folder: Path) -> None:
        (folder / "logos" / "not-an-image.png").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
        (folder / "logos" / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1_100_000))
        (folder.parent.parent / "outside.png").write_bytes((folder / "logos" / "our-ccg.png").read_bytes())

    errors = _errors(tmp_path, theme, setup)
    assert len(errors) == 1, [d.as_text() for d, _ in errors]
    diagnostic, line = errors[0]
    assert line_has in line and diagnostic.column >= 1
    assert message in diagnostic.message and fix in diagnostic.hint, diagnostic.as_text()


def test_the_contrast_message_gives_the_measured_ratio_and_a_darker_colour_that_passes(tmp_path):
    (diagnostic, _), = _errors(tmp_path, '\ntheme:\n  colours:\n    heading: "#768692"\n')
    assert "3.7:1" in diagnostic.message and "at least 4.5:1" in diagnostic.message
    suggestion = re.search(r"#[0-9A-F]{6}", diagnostic.hint).group(0)
    assert 4.5 <= contrast_on_white(suggestion) < 4.8 and suggestion == darker("#768692", 4.5)


def test_opgen_validate_prints_a_theme_error_as_file_line_column(tmp_path, capsys):
    plan = themed_repo(tmp_path, '\ntheme:\n  colours:\n    primary: "#FFB81C"\n')
    line = plan.read_text(encoding="utf-8").splitlines().index('    primary: "#FFB81C"') + 1
    assert main(["validate", str(plan)]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"thanet\.yaml:{line}:\d+: error: the theme's primary colour #FFB81C has a contrast of "
                     r"1\.[0-9]:1 on white", out), out
    assert "fix: use a darker shade, e.g. #" in out


# --- the build cache notices the theme and the logo's bytes ---------------------------------------

def test_a_new_logo_rebuilds_even_when_the_plan_file_is_unchanged(tmp_path):
    plan = themed_repo(tmp_path)
    out_dir = tmp_path / "build" / "thanet"

    def build() -> list[str]:
        job = outputs.prepare(plan, out_dir, ["annex.docx"])
        pending = list(job.pending)
        outputs.run_tasks(outputs.tasks_for([job]), 1, lambda *a: None, lambda job, o, e: pytest.fail(str(e)))
        outputs.write_cache(job)
        return pending

    assert build() == ["annex.docx"]
    assert build() == []                           # nothing changed
    make_logo(plan.parent / "logos" / "our-ccg.png", colour="#330072")
    assert build() == ["annex.docx"]               # same plan file, new logo
    assert build() == []
    plan.write_text(plan.read_text(encoding="utf-8").replace(HEADING, "#330072"), encoding="utf-8")
    assert build() == ["annex.docx"]               # a theme colour is in the key


# --- a pack's theme -------------------------------------------------------------------------------

def test_a_packs_theme_is_read_and_checked(tmp_path):
    plan = themed_repo(tmp_path)
    pack = tmp_path / "packs" / "review.yaml"
    pack.parent.mkdir()
    make_logo(tmp_path / "packs" / "hwb.png")
    body = "pack_version: 1\ntitle: Review of Commissioning Plans\nplans:\n  - ../plans/thanet.yaml\n"
    pack.write_text(body + 'theme:\n  colours: {primary: "#00789E"}\n  logo: hwb.png\n  logo_alt: Kent HWB\n')
    spec, diagnostics = load_pack(pack)
    assert spec is not None and spec.theme.colour("primary") == PRIMARY and spec.theme.logo.alt == "Kent HWB"
    pack.write_text(body + 'theme:\n  colours: {primary: "#7FB2E5"}\n')
    spec, diagnostics = load_pack(pack)
    assert spec is None and diagnostics[0].line == 6 and "contrast" in diagnostics[0].message
    assert plan.is_file()


def test_the_pack_cover_carries_the_packs_logo_and_colours(tmp_path, monkeypatch):
    themed_repo(tmp_path, "")
    pack = tmp_path / "packs" / "review.yaml"
    pack.parent.mkdir()
    make_logo(tmp_path / "packs" / "hwb.png", colour="#330072")
    pack.write_text("pack_version: 1\ntitle: Review of Commissioning Plans\nplans:\n  - ../plans/thanet.yaml\n"
                    'theme:\n  font: liberation-sans\n  colours: {primary: "#00789E", heading: "#1D3A5F"}\n'
                    "  logo: hwb.png\n  logo_alt: Kent Health and Wellbeing Board\n")
    monkeypatch.chdir(tmp_path)
    assert main(["pack", "packs/review.yaml", "--out", "build"]) == 0
    data = (tmp_path / "build" / "packs" / "review" / "pack.pdf").read_bytes()
    assert "Kent Health and Wellbeing Board" in figures(data)
    assert count(pixels(data), "#330072") > 50          # the logo on the cover report
    assert any(f.startswith("Liberation-Sans") for f in font_names(data))
    # the plan on a page inside the pack keeps its own (unthemed) plan's Inter
    assert any(f.startswith("Inter") for f in font_names(data))
    shutil.rmtree(tmp_path / "build")


def test_a_themed_plans_web_editions_carry_the_logo_inside_the_page(themed):
    from opgen.render.web import operational_plan_web, plan_on_a_page_web

    result = themed["result"]
    for page in (operational_plan_web(result.plan, result.report.diagnostics),
                 plan_on_a_page_web(result.plan, result.report.diagnostics)):
        srcs = re.findall(r'<img[^>]*src="([^"]+)"', page)
        assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs), [s[:40] for s in srcs]
        assert 'alt="NHS Thanet Clinical Commissioning Group"' in page and "opgen-asset:" not in page
