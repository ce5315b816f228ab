"""`python -m bench [--size tiny|full] [--only NAME] [--runs N] [--output PATH]`."""

import sys

from bench.cli import main

sys.exit(main(sys.argv[1:]))
