"""`python -m chat_warehouse.generator`: see cli.py."""

import sys

from chat_warehouse.generator.cli import main

sys.exit(main())
