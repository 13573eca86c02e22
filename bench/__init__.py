"""Benchmarks (`make bench`): our client and adapters side by side with the official SDK and raw httpx."""
