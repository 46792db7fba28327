"""Where indexed code comes from: local folders, git commits, PyPI, npm and Debian packages, manifests.

``parse_source_spec`` reads a spec such as ``pypi:requests==2.32.3``; ``download_source`` fetches it into the
download cache (or finds it there); ``unpack_source`` safely unpacks it into a work folder and returns the
``SourceSpec`` the indexer takes; ``build_from_manifest`` does all of that for a TOML list of sources.
"""
