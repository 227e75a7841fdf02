"""The legal basis on which a responsibility case is shared between care providers, the person's
objections to that sharing, and the spärrar on named parts of a case (PDL 2008:355, OSL 25 kap.).

The records live here; the rule they feed is ``access.legal_basis``.
"""
