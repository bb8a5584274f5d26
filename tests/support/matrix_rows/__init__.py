"""One module per area with its access-matrix rows (`ROWS`); see tests/support/matrix.py."""
