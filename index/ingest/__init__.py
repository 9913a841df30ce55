"""Corpus files in: bytes decoded, text and metadata extracted, the text cleaned."""
