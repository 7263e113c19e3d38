"""Django management commands for yep.synth."""
