"""python -m imrnlp: the imrnlp command line."""

from .cli import main

main()
