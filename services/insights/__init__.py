"""Insights: the read side. Projects the events of all services into MongoDB views and answers policy questions."""
