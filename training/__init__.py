"""kocorpus.training"""
