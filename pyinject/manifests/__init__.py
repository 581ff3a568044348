"""Manifests in and out: read multi-document YAML, find pod templates, write them back.

Reading keeps each document's text, so the writer can splice only what changed; output styles
and the staging of files for ``-o``/``--in-place`` live here too.
"""
