"""Kodo's S3-compatible API over the same buckets and accounts as the native API (docs/s3.md)."""
