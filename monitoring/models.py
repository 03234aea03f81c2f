"""How is it going: reporting periods, progress returns, risks and scorecards (issues 5 and 6)."""
