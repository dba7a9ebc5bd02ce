"""The registry is the one list of platforms: each member's package brings everything the
rest of crosspost asks of a platform, and nothing loads a platform before it is needed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crosspost.adapters.base import ContentKind, Platform
from crosspost.adapters.registry import adapter_class, preview_for, rules_for, templates_dir


@pytest.mark.parametrize("platform", list(Platform), ids=str)
def test_every_platform_package_brings_what_is_asked_of_it(platform: Platform) -> None:
    cls = adapter_class(platform)
    assert cls.platform == platform and cls.display_name
    assert cls.auth_command is not None and cls.auth_command.options
    assert callable(rules_for(platform).render) and callable(preview_for(platform).section)
    assert all((templates_dir(platform) / f"{kind}.j2").is_file() for kind in ContentKind)


def test_an_account_setting_changes_only_the_limits_its_adapter_names() -> None:
    youtube = adapter_class(Platform.YOUTUBE)
    limits = youtube.limits_for({"thumbnail_max_bytes": 10, "gif_max_bytes": 5})
    assert limits.image_max_bytes == 10
    assert limits.gif_max_bytes == youtube.limits.gif_max_bytes  # not a YouTube setting


def test_the_help_loads_no_platform() -> None:
    probe = (
        "import json, sys\n"
        "from crosspost.cli.app import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.count('.') >= 2\n"
        "    and m.startswith('crosspost.adapters.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
