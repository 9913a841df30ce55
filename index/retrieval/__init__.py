"""Search over one loaded index version: the loaded snapshot and the hybrid searcher."""
