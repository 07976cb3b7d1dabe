"""Spreadsheet exports of the scored model: CSV files and an xlsx workbook of the same tables.

Consultants sort and filter an estate in Excel, the way they use RVTools. Both formats read
one set of table definitions (:mod:`fleetreport.export.tables`), so they never disagree on
columns or values; each writer only adds what its format needs to stay safe (formula
neutralisation for CSV, string typing and XML-legal text for xlsx).
"""
