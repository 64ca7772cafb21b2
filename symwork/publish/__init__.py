"""Publishing: LaTeX printing, problems, templates, figures, worksheets, the build cache, latexmk and exports."""
