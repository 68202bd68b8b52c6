"""`python -m sharedcalling`: the command line (see docs/cli.md)."""

import sys

from sharedcalling.cli import main

if __name__ == "__main__":
    sys.exit(main())
