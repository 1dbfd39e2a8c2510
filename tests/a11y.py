"""axe-core (from the npm registry, see package.json) run inside a page of the
browser tests: the WCAG 2.1 A and AA rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(
    os.environ.get("AXE_CORE_JS")
    or Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"
)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

needs_axe = pytest.mark.skipif(
    not AXE.exists(),
    reason=f"axe-core not found at {AXE} (run npm install, or set AXE_CORE_JS)",
)


def axe_violations(page) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe finds in the page as it is now. The
    script is evaluated through the DevTools protocol, which a Content-Security-
    Policy does not block (an injected <script> tag would be)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    # resultTypes: axe still checks every rule, but details only the violations
    # (about half the time of a full report).
    result = page.evaluate(
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"][:5]],
        }
        for violation in result["violations"]
    ]
