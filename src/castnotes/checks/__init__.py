"""The feed rules of feed-rules.md §1, one module per family; `commands.check` runs them."""
