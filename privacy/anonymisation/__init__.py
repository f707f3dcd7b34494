"""Record-level anonymisation: one raw submission in, one ``AnonymisedRecord`` out.

`rules` applies each question's privacy rule to a parsed instance, `generalise` (pure, no
Django) coarsens quasi-identifiers, `services` reads submissions and stores their records. No
imports here, so that importing the pure module pulls in no Django."""
