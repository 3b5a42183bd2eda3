"""Public dumps: the whole public record as dated, versioned, compressed files to download."""
