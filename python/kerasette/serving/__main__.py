"""``python -m kerasette.serving PATH [...]`` is ``kerasette serve PATH [...]``."""

import sys

from kerasette.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
