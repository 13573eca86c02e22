"""The HTTP layer (private): requests, retries, pools, transport twins, SSE and message streams."""
