"""Helpers of the project that are not part of the package (the browser harness)."""
