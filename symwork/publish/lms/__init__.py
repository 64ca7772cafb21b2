"""Exports into learning-management systems: Moodle XML, Canvas QTI 1.2 and a Gradescope autograder."""
