"""Inputs: a select, checkboxes, radio buttons, a slider and a search box, each publishing into a Selection (or
setting a Param) what the user picks. One module per input (`select`, `checkbox_group`, `radio_group`,
`checkbox`, `slider`, `search`); what they share is in `base`, reading options in `options`."""
