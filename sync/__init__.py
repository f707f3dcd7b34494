"""OpenRosa for ODK Collect, KoboCollect and Enketo; the quarantine where raw submissions wait."""
