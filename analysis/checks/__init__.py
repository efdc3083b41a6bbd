"""The checks of a submission: the rule table, the validation with Great Expectations and
the feedback each board gets."""
