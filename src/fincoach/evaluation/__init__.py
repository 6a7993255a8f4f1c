"""Measuring the extractor against a labelled corpus: read it, extract, score."""
