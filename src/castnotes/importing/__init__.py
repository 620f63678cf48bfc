"""Another host's feed -> episode folders: parse the old feed, plan the folders, write settings."""
