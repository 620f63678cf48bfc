"""`python -m castnotes` runs the command-line interface."""

from castnotes.cli.main import run

if __name__ == "__main__":
    run()
