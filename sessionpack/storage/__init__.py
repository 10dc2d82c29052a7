"""The data directory: paths, locking, durable writes, journal, views, codecs."""
