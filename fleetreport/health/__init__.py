"""The health model: declared checks judge a snapshot; scores, the energy estimate, the
comparison of runs and the fail-on rule follow."""
