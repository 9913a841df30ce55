"""Where vectors and keywords are kept: vector stores (FAISS, NumPy, pgvector), the BM25 index."""
