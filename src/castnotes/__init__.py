"""castnotes: a podcast feed and a takeaway blog from folders of audio and Markdown notes."""

__version__ = "0.1.0"
