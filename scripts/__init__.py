"""Scripts that regenerate the docs' files from the package (run as ``python -m scripts.NAME``)."""
