"""NLU support: the Portuguese spaCy pipeline builder and Rasa components."""
