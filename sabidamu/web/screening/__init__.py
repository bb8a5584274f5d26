"""The home screening pages: start, one domain per page, result, history, PDF summary."""
