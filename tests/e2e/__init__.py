"""End-to-end tests: the installed `rekt-tui` driven through tmux, as a user at a terminal."""
