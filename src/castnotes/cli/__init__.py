"""The command line: the only code that imports click or prints."""
