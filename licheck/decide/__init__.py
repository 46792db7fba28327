"""How a match becomes a finding — read the modules in this order:

``lineage``      near-identical copies of a unit are one lineage (band near-duplicates, confirmed in ``derive``)
``information``  what a shared 4-gram says: its count over lineages, as bits
``evidence``     the bits of one aligned match (structural and lexical)
``null``         the index's own null: best evidence of independent code, per language and size → E-values
``derive``       when lineages, counts and the null are computed and stored (every index write)
``rules``        the rules, in order: too short, complexity floor, LiCoEval, E-value, common pattern, similar
``holders``      who holds the matched code, and the documented origin rule

``stats`` loads what ``derive`` stored for a scan. README's "How a finding is decided" says the same in prose.
"""
