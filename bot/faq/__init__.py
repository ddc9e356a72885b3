"""Answers to the 22 topics of the SESAU page: content, links, suggestions."""
