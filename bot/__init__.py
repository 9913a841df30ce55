"""Bot layer: answers, the ask service, channels and the command line."""
