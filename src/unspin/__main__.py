"""`python -m unspin` runs the CLI."""

from unspin.cli import main

main()
