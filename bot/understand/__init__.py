"""The question before search: clean-up and script, written Cantonese, gibberish, small talk."""
