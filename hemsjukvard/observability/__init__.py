"""What operators see inside: a request id that follows a request into the tasks it causes, structured
logs without personal data, and Prometheus metrics (``/metrics``, behind a token)."""
