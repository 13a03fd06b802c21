"""Pages, QR codes, search index and the MkDocs plugin: the only code that imports MkDocs."""
