"""Save docs/screenshots/widget.png and docs/screenshots/desk.png from the real stack.

Usage: .venv/bin/python scripts/screenshots.py   (or `make screenshots`; needs the trained model)

The pictures are taken by tests/integration/test_screenshots.py, which reuses the integration
fixtures: Rasa, the action server and the web service on free loopback ports, a throwaway
database, a staff account made with `python -m webservice.accounts create`, headless Chromium.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(
        subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-m",
                "screenshots",
                "tests/integration/test_screenshots.py",
                *sys.argv[1:],
            ],
            cwd=ROOT,
        )
    )
