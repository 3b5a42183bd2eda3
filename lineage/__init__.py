"""Statements connected by meaning across languages: embeddings, their index, lineage."""
