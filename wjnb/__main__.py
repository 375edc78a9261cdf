"""``python -m wjnb``: the ``wjnb`` command."""

from wjnb.cli import main

raise SystemExit(main())
