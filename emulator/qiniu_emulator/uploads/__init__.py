"""Uploads: the put policy of an upload token, the callbacks it asks for, and the service
that finishes form, resumable v1 and multipart v2 uploads."""
