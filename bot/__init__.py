"""SEI assistant of SESAU/AL: domain logic, content, channels and tools.

Core modules here (settings, text normalisation, atomic files); one package
per capability below (see docs/ARQUITETURA.md). Only ``bot.rasa`` imports
Rasa; the import contracts in pyproject.toml check it.
"""
