"""Import hygiene: loading the config imports the adapter classes (for their `settings_spec`),
and that must not drag in the platforms' client libraries or the renderer. Every command loads
the config; those libraries cost over a second and are needed only to render or to publish."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Packages (with their submodules) that loading the config must leave unimported.
HEAVY = (
    "tweepy",
    "requests",
    "twitter_text",
    "googleapiclient",
    "google.oauth2",
    "google.auth",
    "httplib2",
    "httpx",
    "jinja2",
    "crosspost.render",
)

CONFIG = """
[accounts.page]
platform = "facebook"
page_id = "1234567890"

[accounts.channel]
platform = "youtube"

[accounts.feed]
platform = "x"
"""

PROBE = """
import json, sys
from crosspost.config import load_config

config = load_config(sys.argv[1])
heavy = json.loads(sys.argv[2])
print(json.dumps({
    "platforms": {name: str(a.platform) for name, a in config.accounts.items()},
    "adapters": sorted(m for m in sys.modules if m.startswith("crosspost.adapters.")),
    "loaded": sorted(
        m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)
    ),
}))
"""


def test_loading_the_config_imports_no_client_library(tmp_path: Path) -> None:
    path = tmp_path / "crosspost.toml"
    path.write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["platforms"] == {"page": "facebook", "channel": "youtube", "feed": "x"}
    # Validation did import the built-in adapter classes...
    for name in ("x", "youtube", "facebook"):
        assert f"crosspost.adapters.{name}" in seen["adapters"]
    # ...and nothing they use only to render or to talk to their platform.
    assert seen["loaded"] == []
