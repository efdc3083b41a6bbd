"""What the boards hold in their hands: the workbook layout, the pre-filled template, the
example city's filled workbooks, the workbook reader and the tidy rows of a submission."""
