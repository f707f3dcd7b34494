"""The protected table lattice of a release: every table results will ever publish for it,
computed and suppressed jointly at approval, then only read.

    trees     the geography and time hierarchies (node keys, levels, parents)
    leaves    leaf counts per variable, counted once in the database
    boxes     perturbation boxes: the certificate that a withheld cell cannot be narrowed
    sweep     box search for many cells at once (numpy over cells x candidate boxes)
    protect   primary + secondary suppression over the whole lattice
    report    hidden cells per table and level (utility report)
    build     count, roll up, protect, store (``results.models``)
    store     reading a built lattice: trees, cubes, which node a filter names
"""
