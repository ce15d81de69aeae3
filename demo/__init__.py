"""Demo data: the real divisions of 崇左市 and 西宁市城北区 with fictional firms and advisers."""
