"""Benchmarks and quality runs: speed (`make bench`), open retrieval on public QA sets, corpus growth."""
