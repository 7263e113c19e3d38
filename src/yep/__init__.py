"""YEP: the Youth Engagement and Progression Framework platform."""
