"""Models over the data: the teaching PK model and notebook 08's glue (``pk``, ``simulator``), and
notebook 07's claims check (``claims``). They read the data layer and never draw anything."""
