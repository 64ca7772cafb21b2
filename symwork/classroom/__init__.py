"""A class at a time: the roster, the answer key, executors, and grading submissions as a stream."""
