"""The health model: declared checks judge a snapshot; scores and the energy estimate follow."""
