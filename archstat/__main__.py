"""`python -m archstat` runs the command line."""
from archstat.cli import main

main()
