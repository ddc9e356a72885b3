"""Code that runs inside the Rasa process: the REST channel, the patches,
the NLU components and the spaCy builder, the NLU evaluation. Nothing
outside this package (and the ``actions/`` glue) imports Rasa."""
