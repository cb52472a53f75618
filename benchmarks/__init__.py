"""Speed goals: ratios against peers measured in the same run (``python -m benchmarks.NAME``)."""
