"""kocorpus.orchestration"""
