"""kocorpus.tokenizer"""
