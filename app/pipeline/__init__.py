"""The NLP pipeline: raw text -> clean -> extract. Never imports the database or the web framework."""
