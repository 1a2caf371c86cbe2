"""Engagement forms (and their tables and filters), one module a part."""
