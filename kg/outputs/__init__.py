"""The output wing: Gephi views, Parquet tables, the HTML report and one letter's facts shown back."""
