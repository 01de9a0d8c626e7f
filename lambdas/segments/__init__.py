"""Segment detection pipeline: runtime package shared by every Lambda function."""
