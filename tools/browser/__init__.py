"""The real-browser harness (Chromium via playwright) for tests, benchmarks and scripts."""
