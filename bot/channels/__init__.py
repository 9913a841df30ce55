"""Channel adapters: verify, parse, ask, render."""
