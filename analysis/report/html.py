"""The report in HTML: the outline's blocks rendered as HTML (what the notebook's cells
display, section by section), and the executed notebook as one self-contained HTML file:
no code cells or prompts, and plotly.js embedded once, so the report opens offline
(nothing is fetched: the stock nbconvert templates load require.js and MathJax from a CDN
and drop plotly's own output type, so this template replaces those parts).

Every text is escaped, so what a board or an analyst typed stays text."""

from __future__ import annotations

import html
import secrets
from functools import cache
from pathlib import Path
from typing import Iterable

from analysis.report import blocks as b
from analysis.report.content import JUDGEMENT_HEAD, cell_texts
from analysis.report.plots import PLOTLY_MIME

_JUDGEMENT_STYLE = "border-left:4px solid #1F4E79;background:#F3F6FA;padding:4px 12px;margin:8px 0"


def text(value: object) -> str:
    """Any text as HTML text: escaped."""
    return html.escape("" if value is None else str(value))


def html_table(frame, shares: tuple[str, ...] = (), decimals: dict[str, int] | None = None, caption: str = "") -> str:
    """An HTML table with Swedish numbers; every cell escaped, so board text stays text.
    (Written directly: a report has about a hundred small tables, and pandas' `to_html`
    took a third of the notebook's time.)"""
    head = "".join(f"<th>{text(name)}</th>" for name in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{text(cell)}</td>" for cell in row) + "</tr>"
                   for row in cell_texts(frame, shares, decimals))
    caption = f"<caption>{text(caption)}</caption>" if caption else ""
    return f'<table class="rapporttabell">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_block(block: b.Block) -> str:
    """One block as HTML; a chart is shown by the caller (the notebook displays the figure)."""
    if isinstance(block, b.Heading):
        level = min(block.level + 1, 6)  # h1 is the report's title
        return f"<h{level}>{text(block.text)}</h{level}>"
    if isinstance(block, b.Paragraph):
        lead = f"<strong>{text(block.lead)}</strong>" if block.lead else ""
        return f"<p>{lead}{text(block.text)}</p>"
    if isinstance(block, b.Note):
        return f'<p class="anmarkning"><em>{text(block.text)}</em></p>'
    if isinstance(block, b.Items):
        lead = f"<p>{text(block.lead)}</p>" if block.lead else ""
        return lead + "<ul>" + "".join(f"<li>{text(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, b.Judgement):
        lines = []
        for label, value, pending in block.lines:
            if pending:
                lines.append(f"<p><em>{text(value)}</em></p>")
            else:
                lines.append(f"<p><strong>{text(label)}</strong> {text(value)}</p>" if label else f"<p>{text(value)}</p>")
        return (f'<div class="ks-bedomning" style="{_JUDGEMENT_STYLE}"><p style="margin-bottom:2px">'
                f'<strong>{JUDGEMENT_HEAD}</strong></p>{"".join(lines)}</div>')
    if isinstance(block, b.Table):
        key = f'<p class="lasanvisning">{text(block.key)}</p>' if block.key else ""
        legend = f'<p class="forklaring">{text(block.legend)}</p>' if block.legend else ""
        return key + html_table(block.frame, block.shares, block.decimals, block.caption) + legend
    raise TypeError(f"Not an HTML block: {block!r}")


def html_parts(blocks: Iterable[b.Block]) -> list[str | b.Chart]:
    """The blocks as HTML, consecutive blocks joined into one string, charts left as they
    are, in order: the notebook displays each string as one output (every output is a
    round trip to the kernel's output thread) and each chart as its figure."""
    parts: list[str | b.Chart] = []
    pending: list[str] = []
    for block in blocks:
        if isinstance(block, b.Chart):
            if pending:
                parts.append("".join(pending))
                pending = []
            parts.append(block)
        else:
            pending.append(render_block(block))
    if pending:
        parts.append("".join(pending))
    return parts


def title_html(title: str, example_data: bool) -> str:
    """The report's title (h1) and, for the example city, a visible mark that it is example data."""
    out = f"<h1>{text(title)}</h1>"
    if example_data:
        out += ('<p style="color:#B00020;font-weight:bold;border:1px solid #B00020;padding:4px;display:inline-block">'
                "Exempeldata – inte verkliga uppgifter</p>")
    return out

OFFLINE_TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style>
  body { max-width: 1100px; margin: 0 auto; }
  .jp-RenderedHTMLCommon table { font-size: 0.9em; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { text-align: left !important; vertical-align: top; }
</style>
{%- if resources.plotly_js %}
<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: 'local'};</script>
<script type="text/javascript">{{ resources.plotly_js }}</script>
{%- endif %}
{%- endblock extra_css -%}
{%- block data_other -%}
{%- if 'application/vnd.plotly.v1+json' in output.data -%}
{%- set fig = output.data['application/vnd.plotly.v1+json'] -%}
<div class="jp-RenderedHTMLCommon jp-OutputArea-output" data-mime-type="application/vnd.plotly.v1+json">
<div class="plotly-graph-div" role="img" aria-label="{{ (fig['layout'].get('meta') or {}).get('alt', '') | e }}" style="width:100%;height:{{ fig['layout']['height'] or 450 }}px;"></div>
<script type="text/javascript">
(function () {
  var gd = document.currentScript.previousElementSibling;
  var config = Object.assign({responsive: true, displaylogo: false, locale: 'sv'}, {{ fig['config'] or {} | tojson }});
  Plotly.newPlot(gd, {{ fig['data'] | tojson }}, {{ fig['layout'] | tojson }}, config);
})();
</script>
</div>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock data_other -%}
"""


@cache
def _exporter():
    """One exporter per process: it compiles its templates on first use (a third of a
    conversion)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.NbConvertBase.display_data_priority = [
        PLOTLY_MIME, "text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain",
    ]
    exporter = HTMLExporter(
        config=config,
        template_name="lab",
        template_file="offline.html.j2",
        extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
    )
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_anchor_links = True
    exporter.language_code = "sv"
    return exporter


def _html(nb) -> str:
    from plotly.offline import get_plotlyjs

    has_plotly = any(PLOTLY_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    # plotly.js goes in after the conversion: nbconvert parses its whole output once more
    # (BeautifulSoup), and plotly.js would be nine tenths of it.
    marker = f"/* plotly.js {secrets.token_hex(8)} */"
    body, _ = _exporter().from_notebook_node(nb, resources={"plotly_js": marker if has_plotly else ""})
    return body.replace(marker, get_plotlyjs(), 1) if has_plotly else body


def notebook_html(notebook_path: Path, title: str) -> str:
    """The HTML text of an executed notebook (inputs hidden, plotly inlined)."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    nb.metadata["title"] = title
    for cell in nb.cells:  # papermill gives the cell it adds a random id: the same report, the same HTML
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    return _html(nb)
