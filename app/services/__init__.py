"""Queries and writes over the SQLModel tables. Every function takes a keyword-only `session`; only the ingest
orchestrator commits."""
