"""The public reading site: search, statement pages, speakers, topics, feeds, for readers."""
