"""Workbooks printed by LibreOffice: convert to PDF (one soffice run for many files) and read the pages back.

Every sheet the planner writes has a footer with the sheet's name and "page / pages" (report/xlsx.py), so
the pages of each sheet are counted from the PDF's text. pdftotext (poppler) gives each page's text and
its words' boxes, from which the printed text size is judged.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")
PDFTOPPM = shutil.which("pdftoppm")
AVAILABLE = bool(SOFFICE and PDFTOTEXT and PDFINFO and PDFTOPPM)
#: A4 in points (portrait width, height).
A4_PT = (595.3, 841.9)
#: The top and bottom margins (pt) holding the page header and footer.
MARGIN_PT = 54


def has_font(name: str) -> bool:
    """Whether fontconfig knows the font (LibreOffice lays out Calibri with the metric-compatible Carlito)."""
    fc = shutil.which("fc-list")
    if not fc:
        return False
    return name.lower() in subprocess.run([fc], capture_output=True, text=True).stdout.lower()


def to_pdf(workbooks: list[Path], outdir: Path) -> dict[Path, Path]:
    """Convert workbooks to PDF with one LibreOffice run (a private profile, so a running office is no bother)."""
    outdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{outdir}/profile",
                           "--convert-to", "pdf", "--outdir", str(outdir), *map(str, workbooks)],
                          capture_output=True, text=True, timeout=600)
    out = {}
    for wb in workbooks:
        pdf = outdir / (Path(wb).stem + ".pdf")
        assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
        out[Path(wb)] = pdf
    return out


@dataclass
class Page:
    number: int
    text: str
    width: float
    height: float
    word_heights: list[float] = field(default_factory=list)
    sheet: str | None = None  # from the footer
    pdf: Path | None = None

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def shows(self, word: str) -> bool:
        """Whether ``word`` is printed visibly on the page: text clipped away by LibreOffice (a chart's
        text on a page the chart does not reach) is in the PDF's text too, so the page is drawn and the
        word's box must hold ink."""
        from PIL import Image

        xml = subprocess.run([PDFTOTEXT, "-f", str(self.number), "-l", str(self.number), "-bbox", str(self.pdf), "-"],
                             capture_output=True, text=True).stdout
        boxes = [tuple(map(float, m)) for m in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">' + re.escape(word) + "</word>",
            xml)]
        if not boxes:
            return False
        dpi = 72
        with tempfile.TemporaryDirectory() as tmp:
            stem = Path(tmp) / "page"
            subprocess.run([PDFTOPPM, "-f", str(self.number), "-l", str(self.number), "-r", str(dpi), "-gray",
                            "-singlefile", str(self.pdf), str(stem)], check=True, capture_output=True)
            image = Image.open(f"{stem}.pgm")
            for x0, y0, x1, y1 in boxes:
                crop = image.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
                if crop.getextrema()[0] < 128:
                    return True
        return False

    @property
    def text_size(self) -> float:
        """The median height (pt) of the words' boxes: about 1.25 × the font size."""
        return statistics.median(self.word_heights) if self.word_heights else 0.0


_FOOTER = re.compile(r"^\s*(?P<sheet>\S.*?)\s+(?P<page>\d+)\s?/\s?(?P<pages>\d+)\s*$")


def pages(pdf: Path) -> list[Page]:
    """The pages of a PDF: text, size (pt), word heights and the sheet named in the footer."""
    info = subprocess.run([PDFINFO, "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True).stdout
    sizes = [tuple(map(float, m)) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    texts = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    bbox = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    boxes = [[(float(a), float(b)) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', p)]
             for p in bbox.split("<page ")[1:]]
    out = []
    for k, (w, h) in enumerate(sizes):
        # the words of the page's body: not the page header and footer (8 pt, in the margins)
        heights = [y1 - y0 for y0, y1 in (boxes[k] if k < len(boxes) else []) if y0 > MARGIN_PT and y1 < h - MARGIN_PT]
        text = texts[k] if k < len(texts) else ""
        sheet = None
        for line in reversed([x for x in text.splitlines() if x.strip()]):
            m = _FOOTER.match(line)
            if m:
                sheet = m.group("sheet")
                break
        out.append(Page(k + 1, text, w, h, heights, sheet, pdf))
    return out


def by_sheet(all_pages: list[Page]) -> dict[str, list[Page]]:
    out: dict[str, list[Page]] = {}
    for p in all_pages:
        out.setdefault(p.sheet or "?", []).append(p)
    return out


def is_a4(page: Page) -> bool:
    w, h = sorted((page.width, page.height))
    return abs(w - A4_PT[0]) < 2 and abs(h - A4_PT[1]) < 2
