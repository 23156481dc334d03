"""Full screens and modals of the cockpit."""
