"""The native charts of a workbook read from its XML (xl/charts/chartN.xml): title, axes and series.

For tests of what a chart shows: the axes' ranges as the file fixes them (None: the application chooses), which
axis (left, right, bottom) each series is drawn on, and whether hidden cells are plotted.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


@dataclass
class Axis:
    id: str
    position: str  # "l", "r", "b", "t"
    title: str
    min: float | None
    max: float | None
    deleted: bool


@dataclass
class Series:
    title: str
    values: str  # the cell range of its values
    categories: str  # of its x values or categories
    axes: tuple[str, str]  # the ids of its (x, y) axes


@dataclass
class ChartXml:
    name: str
    title: str
    kinds: list[str]  # barChart, lineChart, scatterChart, … in the order drawn
    axes: dict[str, Axis] = field(default_factory=dict)
    series: list[Series] = field(default_factory=list)
    plots_hidden: bool = False

    def axis_of(self, series_title: str) -> Axis:
        """The value axis a series is drawn against."""
        s = next(s for s in self.series if s.title == series_title)
        return self.axes[s.axes[1]]

    def value_axes(self) -> list[Axis]:
        return [a for a in self.axes.values() if a.position in ("l", "r") and not a.deleted]


def _text(node) -> str:
    return "".join(t.text or "" for t in node.iter(f"{{{NS['a']}}}t")) if node is not None else ""


def _number(node, path: str) -> float | None:
    found = node.find(path, NS)
    return None if found is None else float(found.get("val"))


def charts(path: str | Path) -> list[ChartXml]:
    """Every chart of the workbook, in the order of its files."""
    out = []
    with zipfile.ZipFile(path) as z:
        names = sorted((n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)),
                       key=lambda n: int(re.search(r"(\d+)\.xml$", n).group(1)))
        for name in names:
            root = ET.fromstring(z.read(name))
            chart = root.find("c:chart", NS)
            plot = chart.find("c:plotArea", NS)
            c = ChartXml(name, _text(chart.find("c:title", NS)), [])
            for axis in list(plot.findall("c:valAx", NS)) + list(plot.findall("c:catAx", NS)):
                ident = axis.find("c:axId", NS).get("val")
                deleted = axis.find("c:delete", NS)
                c.axes[ident] = Axis(ident, axis.find("c:axPos", NS).get("val"), _text(axis.find("c:title", NS)),
                                     _number(axis, "c:scaling/c:min"), _number(axis, "c:scaling/c:max"),
                                     deleted is not None and deleted.get("val") in ("1", "true"))
            for group in plot:
                kind = group.tag.split("}")[1]
                if not kind.endswith("Chart"):
                    continue
                c.kinds.append(kind)
                ids = [a.get("val") for a in group.findall("c:axId", NS)]
                for ser in group.findall("c:ser", NS):
                    title = ser.find("c:tx", NS)
                    text = "".join(v.text or "" for v in title.iter(f"{{{NS['c']}}}v")) if title is not None else ""
                    ref = lambda tag: (ser.find(f"{tag}//c:f", NS).text  # noqa: E731
                                       if ser.find(f"{tag}//c:f", NS) is not None else "")
                    c.series.append(Series(text, ref("c:val") or ref("c:yVal"), ref("c:cat") or ref("c:xVal"),
                                           (ids[0], ids[1])))
            vis = chart.find("c:plotVisOnly", NS)
            c.plots_hidden = vis is not None and vis.get("val") in ("0", "false")
            out.append(c)
    return out


def chart_titled(path: str | Path, start: str) -> ChartXml:
    found = [c for c in charts(path) if c.title.startswith(start)]
    assert len(found) == 1, (start, [c.title for c in charts(path)])
    return found[0]
