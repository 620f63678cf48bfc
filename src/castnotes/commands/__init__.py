"""What each `castnotes <verb>` does, one module each, callable from Python without click."""
