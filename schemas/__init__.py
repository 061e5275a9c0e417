"""The supplier contract: the codebook and the pandera model built from it."""
