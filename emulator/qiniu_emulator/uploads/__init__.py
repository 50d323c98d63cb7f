"""Uploads: the callbacks an upload token's put policy asks for, and the service that
finishes form, resumable v1 and multipart v2 uploads (the policy is ``put_policy.py``)."""
