"""Medical waste: daily entries into each site's waste store, collections and the handover sheet."""
