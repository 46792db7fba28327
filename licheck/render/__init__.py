"""Self-contained HTML pages from Jinja2 templates: the one rendering layer of licheck's reports.

Autoescaping is always on, because everything a report shows (code, file names, license text, model names) is
untrusted input. Pages carry their CSS and JS inline and load nothing from the network when viewed. Jinja2 is
imported only when a page is rendered, so `licheck scan` starts without it.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any


@cache
def _environment(package: str | None = None) -> Any:
    import jinja2

    # a report package's own templates first, then ours (so they can extend base.html.j2)
    loaders = [jinja2.PackageLoader(package, "templates")] if package else []
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.PackageLoader("licheck.render", "templates")]),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, /, *, templates_from: str | None = None, **context: Any) -> str:
    """Render ``templates/<template>``; embed data for scripts with ``{{ value|tojson }}`` (escaped for <script>).

    ``templates_from``: a package (e.g. ``licheck.fingerprint.report``) whose ``templates/`` folder is searched
    first, so a report can keep its template beside its code."""
    return _environment(templates_from).get_template(template).render(**context)


def data_uri(data: bytes, mime: str) -> str:
    """Inline an image (a plot, a screenshot) so the page needs no other file."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
