"""Pure renderers: Show in, bytes out (RSS with Podcasting 2.0, the takeaways Atom feed, pages, listings, SEO)."""
