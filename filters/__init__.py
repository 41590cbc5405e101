"""kocorpus.filters"""
