"""``python -m chatroutes_core.cli``: the same as the ``chatroutes`` command."""

import sys

from chatroutes_core.cli import main

sys.exit(main())
