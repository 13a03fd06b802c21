"""The only code that touches villages/ and git: files and revisions in, raw records out."""
