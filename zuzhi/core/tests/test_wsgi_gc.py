"""The server's entry freezes what it loaded at start, so that the full garbage collections a
big page sets off do not rescan Django and the apps on every request (zuzhi/wsgi.py)."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_wsgi_entry_leaves_the_loaded_objects_frozen():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zuzhi.test_settings"}
    done = subprocess.run(
        [sys.executable, "-c", "import gc, zuzhi.wsgi; print(gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert int(done.stdout.split()[-1]) > 10_000
