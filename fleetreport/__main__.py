"""Allow ``python -m fleetreport``."""

from fleetreport.cli import main

raise SystemExit(main())
