"""A cleaned document cut into cited passages: its structure, its passages, their windows."""
