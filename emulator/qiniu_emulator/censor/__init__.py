"""Moderation (Qiniu censor): verdicts you decide, in the image-censor fop and the censor APIs."""
