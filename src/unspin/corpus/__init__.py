"""Corpora: readers, the batch runner, the DuckDB store and its results file, statistics and stories."""
