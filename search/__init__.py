"""Quote search: a tantivy index beside PostgreSQL, fed from a transactional outbox."""
