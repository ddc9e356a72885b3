"""SEI assistant of SESAU/AL: domain logic, content, channels and tools.

Nothing here imports Rasa except ``bot.nlu.components`` (NLU glue loaded by
Rasa itself); everything else is plain Python tested without Rasa.
"""
