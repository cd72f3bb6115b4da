"""`python -m boundary`: the same command line as the `boundary` script."""

from boundary.cli import main

if __name__ == "__main__":
    main()
