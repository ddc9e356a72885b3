"""rasa-sdk actions: thin glue between Rasa and the ``bot`` package."""
