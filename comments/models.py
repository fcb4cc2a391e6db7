"""Comments arrive with the comments issue."""
