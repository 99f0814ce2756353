"""Training: torch-only, imported only by `unspin train` and the benchmarks."""
