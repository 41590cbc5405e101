"""kocorpus command line: ``python -m kocorpus``."""
from kocorpus.pipelines.cli import main

raise SystemExit(main())
