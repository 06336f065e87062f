"""The personalized plan ("personalized roadmap" to visitors): the reader's form
(`forms`), the pure time estimate (`estimate`) and the plan built from both (`build`)."""
