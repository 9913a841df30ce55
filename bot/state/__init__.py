"""What the services keep: question log and feedback (and insight), retries, rate limits, conversation state, the polling lock; local or PostgreSQL."""
