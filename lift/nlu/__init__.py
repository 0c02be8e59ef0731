"""What the assistant understood, in shoppers' terms: the intent taxonomy's groups, the
plain-language labels and suggestions the fallback shows instead of intent names
(:mod:`lift.nlu.fallback`), catalog names read as one placeholder word by the intent features
(:mod:`lift.nlu.masking`), and the scoring of held-out NLU predictions
(:mod:`lift.nlu.scoring`). Plain Python: no Rasa import, testable on its own."""
