"""Readers and writers of criteria trees; none of them imports Django.

- `yaml_format`: the project's own format, `parindex-criteria/1` (`load_yaml`, `dump_yaml`).
- `table`: the decisions' table layout as rows (`read_rows`) or pasted text (`parse_table_text`).
- `cells`: the rows of that table put back together from text copied one cell per line.
- `xlsx`: spreadsheets in that layout (`parse_xlsx`, `export_xlsx`).
- `docx`: Word documents holding that table (`parse_docx`).
- `pdf`: PDF files whose text layer holds that table (`parse_pdf`).

Every reader returns an `ImportResult` whose problems already include `validation.validate`'s.
"""
