"""whosaid: who said what, where, and in which outlet."""

__version__ = "0.1.0"
