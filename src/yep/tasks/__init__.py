"""Tasks and notifications: the work each user has to do (due, overdue) and the emails that tell them of it."""
