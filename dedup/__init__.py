"""kocorpus.dedup"""
