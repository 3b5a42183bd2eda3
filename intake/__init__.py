"""Article intake: turns a pasted, uploaded or fetched report into proposed statements (speaker,
kind, date, exact excerpt) that an editor confirms before anything is saved."""
