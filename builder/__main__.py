"""`python -m builder`: the same as the `sunlight` command."""

from builder.cli import main

main()
