"""The audit trail: fingerprints of published periods, semantic diffs between revisions, the
publication log (a hash chain), the rule against silent retroactive edits, and the pages that
show all of it. `fingerprint` is pure; `snapshot`, `history` and `commands` read git."""
