"""Reading a show folder: one load_show() -> Show, front matter, enclosures, chapters, transcripts, status, caches."""
