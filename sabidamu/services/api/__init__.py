"""The open API's use cases (issue 16): clients and tokens (clients.py), what the endpoints read and write
(data.py). The HTTP side is sabidamu/api/."""
