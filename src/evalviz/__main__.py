"""`python -m evalviz`: the `evalviz` command line."""

import sys

from evalviz.cli import main

sys.exit(main())
