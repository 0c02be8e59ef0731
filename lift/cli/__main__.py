"""``python -m lift.cli ...``: the same as the ``lift`` console script."""
import sys

from lift.cli import main

sys.exit(main())
