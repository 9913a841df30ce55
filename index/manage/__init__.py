"""Staff work on the corpus: commands, intake, changes with their journal and audit log, views."""
