"""Start from your area: the bundled national pack of 2011 LSOAs (England and Wales) with IMD 2019 and
population, choosing a local authority by name or code, filtering a boundary file to one authority, giving
boundaries figures by overlap with the LSOAs, and attaching newer figures by neighbourhood code."""
