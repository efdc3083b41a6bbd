"""An executed notebook as one self-contained HTML file: no code cells or prompts, and
plotly.js embedded once, so the report opens offline (nothing is fetched: the stock
nbconvert templates load require.js and MathJax from a CDN and drop plotly's own output
type, so this template replaces those parts)."""

from __future__ import annotations

import secrets
import threading
from functools import cache
from pathlib import Path

from analysis.report.plots import PLOTLY_MIME

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


_converting = threading.Lock()


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


def warm() -> None:
    """Load nbconvert and compile the template now (about a second), for a caller that
    would otherwise wait idle, such as the run while its kernel executes the notebook."""
    _exporter()


def _html(nb) -> str:
    from plotly.offline import get_plotlyjs

    has_plotly = any(PLOTLY_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    # plotly.js goes in after the conversion: nbconvert parses its whole output once more
    # (BeautifulSoup), and plotly.js would be nine tenths of it.
    marker = f"/* plotly.js {secrets.token_hex(8)} */"
    with _converting:
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
