"""Index versions: building one (reusing the current), staging, switching, sharing via PostgreSQL."""
