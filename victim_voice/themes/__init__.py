"""What victims say: comments coded into the codeframe's themes with polarity, and their sentiment."""
