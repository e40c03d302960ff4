"""Import of companies, contacts and deals from amoCRM / Bitrix24 exports and any spreadsheet.

`readers` turns an uploaded CSV/XLSX into rows of strings (encoding, delimiter, formulas, limits),
`schema` knows the fields of each entity, guesses the column mapping and parses a row into clean values
with per-row errors. The writes live in `clients.services.importing`.
"""
