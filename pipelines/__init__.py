"""kocorpus.pipelines"""
