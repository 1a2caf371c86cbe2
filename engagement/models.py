"""Models arrive with this area's issue; the app exists so the layout is stable."""
