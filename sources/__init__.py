"""Reading the inputs: HTML main-content extraction and URL filtering (plain Python, no Spark)."""
