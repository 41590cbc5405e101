"""Reading the inputs: one reader per format, decoding, HTML extraction, file tasks (plain Python, no Spark)."""
