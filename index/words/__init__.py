"""Words of questions and official text: glossary, thesaurus, CC-CEDICT, sounds, bodies, places, what a query asks."""
