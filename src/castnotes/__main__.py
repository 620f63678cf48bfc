"""`python -m castnotes` runs the command-line interface."""

from castnotes.cli.main import main

if __name__ == "__main__":
    main()
