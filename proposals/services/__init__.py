"""Writes of the proposals app, one module per sub-domain: catalog, briefs, drafting, editor, sending,
followups, decisions. Import from the module, e.g. `proposals.services.editor`."""
