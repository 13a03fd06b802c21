"""The clerk's path: scaffold a month, write its workbook, import the workbook filled in."""
