"""Interactivity: params and selections shared by inputs, charts and tables, and the inputs that set them."""
