"""`python -m chat_warehouse.quality`: see cli.py."""

import sys

from chat_warehouse.quality.cli import main

sys.exit(main())
