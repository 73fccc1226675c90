//! face (skeleton; filled in by its issue).
